import { Type, type Static } from '@sinclair/typebox';
import { parseDuration, toBytes } from './units';

/** The most connections a target may declare it holds (and a ramp asks for). */
export const MAX_CONNECTIONS = 100_000;
/** The most connections per second a target may declare (and a rate or latency case offer). */
export const MAX_PER_SECOND = 100_000;

/**
 * What a target declares it carries under load, which the capacity suite's must cases check:
 * `--declare-capacity connections=5000` (flags), `declareCapacity` in a targets file, `capacity`
 * in sockspec.config.json. Without a declaration those cases are skipped.
 */
export const CapacitySchema = Type.Object(
  {
    connections: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_CONNECTIONS, description: 'concurrent connections it holds, each still echoing' })),
    connectionsPerSecond: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PER_SECOND, description: 'connections (connect, echo a line, close) it serves per second, sustained' })),
    bytesPerSecond: Type.Optional(Type.Integer({ minimum: 1, description: 'bytes per second it echoes back on one connection' })),
    p99Ms: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: "its 99th percentile echo round trip, in ms, at the capacity suite's offered load" })),
    fanoutP99Ms: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: "its 99th percentile chat message delivery to each member, in ms, at the capacity-chat suite's room and rate" })),
  },
  { additionalProperties: false },
);
export type Capacity = Static<typeof CapacitySchema>;

/** The declaration's names as the command line and a targets file write them: `connections=5000`. */
const FORMS: Record<string, { field: keyof Capacity; example: string; parse: (text: string) => number | undefined }> = {
  connections: { field: 'connections', example: 'connections=5000', parse: (text) => count(text, MAX_CONNECTIONS) },
  rate: { field: 'connectionsPerSecond', example: 'rate=2000 (connections per second)', parse: (text) => count(text, MAX_PER_SECOND) },
  throughput: { field: 'bytesPerSecond', example: 'throughput=100MiB (per second, on one connection)', parse: (text) => (/^[0-9]+(B|KiB|MiB|GiB)?$/.test(text) && toBytes(text) > 0 ? toBytes(text) : undefined) },
  p99: { field: 'p99Ms', example: 'p99=20ms', parse: (text) => positive(parseDuration(text)) },
  'fanout-p99': { field: 'fanoutP99Ms', example: 'fanout-p99=200ms (a chat message to each member of a room)', parse: (text) => positive(parseDuration(text)) },
};

export const CAPACITY_FORMS = Object.values(FORMS).map((form) => form.example).join(', ');

/** `connections=5000`, `rate=2000,p99=20ms`, ...: each entry one or more pairs. The capacity, or the problem in words. */
export function parseCapacity(entries: readonly string[]): Capacity | string {
  const capacity: Capacity = {};
  for (const pair of entries.flatMap((entry) => entry.split(','))) {
    const match = /^\s*([a-z0-9-]+)\s*=\s*(\S+)\s*$/.exec(pair);
    const form = match ? FORMS[match[1]] : undefined;
    if (!match || !form) return `takes NAME=VALUE pairs (${CAPACITY_FORMS}), not "${pair}"`;
    const value = form.parse(match[2]);
    if (value === undefined) return `${match[1]} takes a value such as ${form.example}, not "${match[2]}"`;
    capacity[form.field] = value;
  }
  return capacity;
}

function count(text: string, max: number): number | undefined {
  return /^[0-9]+$/.test(text) && Number(text) >= 1 && Number(text) <= max ? Number(text) : undefined;
}

function positive(ms: number | undefined): number | undefined {
  return ms !== undefined && ms > 0 ? ms : undefined;
}

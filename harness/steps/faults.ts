import { Type, type Static } from '@sinclair/typebox';
import { DIRECTIONS } from '../faults/toxic';
import { TOXIC_TYPES, createToxic, type ToxicSpec } from '../faults/toxics';
import { SuiteUsageError } from '../verdict/failure';
import { defineStep } from './define';
import { caseProxy } from './support/fault-proxy';
import { MAX_DURATION_MS, MAX_SIZE_BYTES } from '../vocabulary/units';

/** One toxic, in Toxiproxy's words: its type, direction, toxicity and its own fields. */
const ToxicField = Type.Object(
  {
    type: Type.Union(TOXIC_TYPES.map((t) => Type.Literal(t))),
    direction: Type.Optional(Type.Union(DIRECTIONS.map((d) => Type.Literal(d)), { description: 'upstream: client to server; downstream (default): server to client' })),
    toxicity: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'probability it applies to a connection (seeded); default 1' })),
    latency: Type.Optional(Type.Number({ minimum: 0, maximum: MAX_DURATION_MS, description: 'latency: ms added to each chunk' })),
    jitter: Type.Optional(Type.Number({ minimum: 0, maximum: MAX_DURATION_MS, description: 'latency: ± ms' })),
    rate: Type.Optional(Type.Number({ minimum: 0, description: 'bandwidth: KB/s' })),
    averageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_SIZE_BYTES, description: 'slicer: segment size in bytes' })),
    sizeVariation: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_SIZE_BYTES, description: 'slicer: ± bytes' })),
    delay: Type.Optional(Type.Number({ minimum: 0, maximum: MAX_DURATION_MS, description: 'slicer: µs between segments; slow_close: ms the FIN is held' })),
    bytes: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_SIZE_BYTES, description: 'limit_data: bytes passed before the close' })),
    timeout: Type.Optional(Type.Number({ minimum: 0, maximum: MAX_DURATION_MS, description: 'reset_peer: ms to the reset; timeout: ms to the close (0: never)' })),
  },
  { additionalProperties: false },
);

export const faults = defineStep({
  name: 'faults',
  summary:
    "Puts a fault-injecting proxy between this case's new connections and the server (the first " +
    'time), and sets its toxics: latency, bandwidth, slicer, limit_data, reset_peer, timeout and ' +
    "slow_close, as in Toxiproxy. An empty list removes them. Decisions are seeded, so runs repeat.",
  schema: Type.Object(
    { toxics: Type.Array(ToxicField), seed: Type.Optional(Type.String()) },
    { additionalProperties: false },
  ),
  describe: (p) => `faults: ${p.toxics.map((t) => `${t.type} ${t.direction ?? 'downstream'}`).join(', ') || 'none'}`,
  async run(p, ctx) {
    const run = ctx.run;
    const toxics = p.toxics.map(build);
    const proxy = await caseProxy(ctx, p.seed);
    proxy.clearToxics();
    for (const toxic of toxics) proxy.addToxic(toxic);
    run.transcript.record('sockspec', 'note', `toxics: ${proxy.stats().toxics.map((t) => t.id).join(', ') || 'none'}`);
  },
});

function build(spec: Static<typeof ToxicField>) {
  try {
    return createToxic(spec as ToxicSpec);
  } catch (err) {
    throw new SuiteUsageError(`invalid toxic ${spec.type}: ${(err as Error).message}`);
  }
}

import { performance } from 'node:perf_hooks';
import type { LatencyMeasurement, RampBreak, RampMeasurement, RateMeasurement, ThroughputMeasurement } from '../vocabulary/measurement';
import type { LoadDrivers } from './drivers';
import type { DatagramsResult, Destination, JoinLine, LatencyResult, RampResult, RateResult, RoomJoinResult, RoomTalkResult, StreamResult, VerifyResult } from './protocol';

/*
 * The capacity measurements, each spread over the load drivers it is given: what the capacity
 * steps run. Counts are split as evenly as they go (the first drivers take one more).
 */

/** How often the ramp's held-over-time series takes a point. */
const SERIES_EVERY_MS = 100;
/** Width of the connection rate's series buckets. */
const RATE_BUCKET_MS = 250;
/** The percentiles a latency measurement keeps: enough points to draw the curve, the usual ones among them. */
const PERCENTILES = [0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 95, 97.5, 99, 99.5, 99.9, 99.99, 100];

/** `total` split over `parts`: the first ones take one more when it does not divide. */
export function share(total: number, parts: number, i: number): number {
  return Math.floor(total / parts) + (i < total % parts ? 1 : 0);
}

export interface RampOptions extends Destination {
  connections: number;
  perSecond: number;
  connectTimeoutMs: number;
  holdMs: number;
  verifyTimeoutMs: number;
  /** The idle timeout the target declares: connections are kept from idling that long. */
  idleTimeoutMs?: number;
}

/** What a ramp lost at its verification, by kind, for the summary. */
type RampLosses = VerifyResult['lost'];

/**
 * Opens up to `connections` at `perSecond` (all drivers together), stopping every driver at the
 * first failure; holds them `holdMs`; then checks each with an echo round trip and closes them.
 */
export async function ramp(drivers: LoadDrivers, o: RampOptions): Promise<{ measurement: RampMeasurement; lost: RampLosses }> {
  const start = performance.now();
  const series: RampMeasurement['series'] = [{ atMs: 0, open: 0 }];
  const sample = () => series.push({ atMs: Math.round(performance.now() - start), open: drivers.open.reduce((a, b) => a + b, 0) });
  const sampler = setInterval(sample, SERIES_EVERY_MS);
  let broke: { how: RampBreak; detail: string } | undefined;
  try {
    const ramps = await Promise.all(
      Array.from({ length: drivers.count }, (_, i) =>
        drivers
          .run<RampResult>(i, { task: 'ramp', host: o.host, port: o.port, count: share(o.connections, drivers.count, i), perSecond: o.perSecond / drivers.count, connectTimeoutMs: o.connectTimeoutMs, keepAliveMs: o.idleTimeoutMs && o.idleTimeoutMs / 4 })
          .then((result) => {
            if (result.broke && !broke) {
              broke = result.broke;
              drivers.halt();
            }
            return result;
          }),
      ),
    );
    const opened = ramps.reduce((sum, r) => sum + r.opened, 0);
    if (o.holdMs > 0) await new Promise((resolve) => setTimeout(resolve, o.holdMs));
    sample();
    const verified = await drivers.runAll<VerifyResult>(() => ({ task: 'verify', timeoutMs: o.verifyTimeoutMs }));
    const durationMs = Math.round(performance.now() - start);
    const held = verified.reduce((sum, v) => sum + v.held, 0);
    series.push({ atMs: durationMs, open: held });
    const lost: RampLosses = {};
    for (const v of verified) {
      for (const [why, { count, detail }] of Object.entries(v.lost)) {
        lost[why] ??= { count: 0, detail };
        lost[why].count += count;
      }
    }
    const measurement: RampMeasurement = {
      kind: 'ramp',
      label: `${o.connections.toLocaleString('en')} connections`,
      target: o.connections,
      held,
      series,
      durationMs,
      ...(broke && { broke: { after: opened, ...broke } }),
    };
    return { measurement, lost };
  } finally {
    clearInterval(sampler);
    await drivers.runAll(() => ({ task: 'release' })).catch(() => undefined);
  }
}

export interface RateOptions extends Destination {
  clients: number;
  durationMs: number;
  timeoutMs: number;
}

/** `clients` loops of connect, echo, close for `durationMs`; the first failure's text with it. */
export async function connectionRate(drivers: LoadDrivers, o: RateOptions): Promise<{ measurement: RateMeasurement; firstFailure?: string }> {
  const results = await drivers.runAll<RateResult>((i) => ({ task: 'rate', host: o.host, port: o.port, clients: share(o.clients, drivers.count, i), durationMs: o.durationMs, bucketMs: RATE_BUCKET_MS, timeoutMs: o.timeoutMs }));
  const completed = results.reduce((sum, r) => sum + r.completed, 0);
  const buckets = results[0].buckets.map((_, b) => results.reduce((sum, r) => sum + r.buckets[b], 0));
  const measurement: RateMeasurement = {
    kind: 'rate',
    label: `connect, echo, close with ${o.clients} client${o.clients === 1 ? '' : 's'}`,
    completed,
    failed: results.reduce((sum, r) => sum + r.failed, 0),
    perSecond: Math.round((completed * 1000) / o.durationMs),
    series: buckets.map((count, b) => ({ atMs: (b + 1) * RATE_BUCKET_MS, completed: count })),
    durationMs: o.durationMs,
  };
  return { measurement, firstFailure: results.find((r) => r.firstFailure)?.firstFailure };
}

export interface ThroughputOptions extends Destination {
  streams: number;
  bytes: number;
  seed: string;
  timeoutMs: number;
}

/** `streams` connections at once, each echoing `bytes` of its own seeded random payload, every byte checked. */
export async function throughput(drivers: LoadDrivers, o: ThroughputOptions): Promise<{ measurement: ThroughputMeasurement; problems: string[] }> {
  const results = (
    await drivers.runAll<StreamResult[]>((i) => ({ task: 'throughput', host: o.host, port: o.port, streams: share(o.streams, drivers.count, i), bytes: o.bytes, seed: `${o.seed}/${i}`, timeoutMs: o.timeoutMs }))
  ).flat();
  const measurement: ThroughputMeasurement = {
    kind: 'throughput',
    label: `${o.streams} stream${o.streams === 1 ? '' : 's'}`,
    streams: results.map((r) => ({ direction: 'echo', bytes: r.bytes, durationMs: Math.round(r.durationMs), bitsPerSecond: r.durationMs > 0 ? Math.round((r.bytes * 8 * 1000) / r.durationMs) : 0, verified: r.verified })),
  };
  return { measurement, problems: results.flatMap((r) => (r.problem ? [r.problem] : [])) };
}

export interface LatencyOptions extends Destination {
  clients: number;
  perSecond: number;
  durationMs: number;
  timeoutMs: number;
}

/** A small echo at a fixed offered rate over `clients` connections, each timed from when it was due. */
export async function latency(drivers: LoadDrivers, o: LatencyOptions): Promise<{ measurement: LatencyMeasurement; firstError?: string }> {
  const results = await drivers.runAll<LatencyResult>((i) => {
    const clients = share(o.clients, drivers.count, i);
    return { task: 'latency', host: o.host, port: o.port, clients, perSecond: (o.perSecond * clients) / o.clients, durationMs: o.durationMs, timeoutMs: o.timeoutMs };
  });
  const label = `${o.perSecond}/s over ${o.clients} client${o.clients === 1 ? '' : 's'}`;
  const samples = Float64Array.from(results.flatMap((r) => r.samples));
  const measurement = latencyOf(label, o.perSecond, o.clients, samples, results.reduce((sum, r) => sum + r.errors, 0));
  return { measurement, firstError: results.find((r) => r.firstError)?.firstError };
}

/** The percentiles of times in ms (sorted here), with what they were measured at. */
function latencyOf(label: string, offeredPerSecond: number, concurrency: number, samples: Float64Array, errors: number, what: Pick<LatencyMeasurement, 'timed' | 'concurrencyOf'> = {}): LatencyMeasurement {
  samples.sort();
  return {
    kind: 'latency',
    label,
    offeredPerSecond,
    concurrency,
    ...what,
    samples: samples.length,
    errors,
    percentiles: samples.length ? PERCENTILES.map((p) => ({ p, ms: round(percentile(samples, p)) })) : [],
    maxMs: samples.length ? round(samples[samples.length - 1]) : 0,
  };
}

/** A fan-out times each delivery, over a room's members. */
const ROOM = { timed: 'delivery', concurrencyOf: 'members' };

export interface FanoutOptions extends Destination {
  members: number;
  messages: number;
  perSecond: number;
  /** Member i's join exchange, its placeholders filled in. */
  script: (i: number) => JoinLine[];
  /** What comes before a message's text (the profile's `say`). */
  say: string;
  timeoutMs: number;
}

/** How long after the drivers are told to start the first message is due: the task must reach each of them first. */
const TALK_LEAD_MS = 200;

/**
 * A chat room of `members` spread over the drivers, each joined by its exchange; then `messages`
 * at `perSecond`, sent by the members in turn, each delivery to every other member timed from when
 * its message was due. Errors are the deliveries that did not come.
 */
export async function fanout(drivers: LoadDrivers, o: FanoutOptions): Promise<{ measurement: LatencyMeasurement; joinProblem?: string; extra: number; firstProblem?: string }> {
  const firsts = Array.from({ length: drivers.count }, (_, i) => Array.from({ length: i }, (_, j) => share(o.members, drivers.count, j)).reduce((a, b) => a + b, 0));
  const label = `room of ${o.members.toLocaleString('en')}`;
  try {
    const joins = await drivers.runAll<RoomJoinResult>((i) => {
      const scripts = Array.from({ length: share(o.members, drivers.count, i) }, (_, k) => o.script(firsts[i] + k));
      return { task: 'room-join', host: o.host, port: o.port, first: firsts[i], scripts, timeoutMs: o.timeoutMs };
    });
    const joinProblem = joins.find((j) => j.problem)?.problem;
    if (joinProblem) return { measurement: latencyOf(label, o.perSecond, o.members, new Float64Array(0), 0, ROOM), joinProblem, extra: 0 };
    const startNs = process.hrtime.bigint() + BigInt(TALK_LEAD_MS * 1e6);
    const talks = await drivers.runAll<RoomTalkResult>(() => ({ task: 'room-talk', members: o.members, messages: o.messages, startNs, intervalMs: 1000 / o.perSecond, say: o.say, timeoutMs: o.timeoutMs }));
    const samples = new Float64Array(talks.reduce((sum, t) => sum + t.samples.length, 0));
    talks.reduce((at, t) => (samples.set(t.samples, at), at + t.samples.length), 0);
    const measurement = latencyOf(label, o.perSecond, o.members, samples, talks.reduce((sum, t) => sum + t.missing, 0), ROOM);
    return { measurement, extra: talks.reduce((sum, t) => sum + t.extra, 0), firstProblem: talks.find((t) => t.firstProblem)?.firstProblem };
  } finally {
    await drivers.runAll(() => ({ task: 'release' })).catch(() => undefined);
  }
}

/** The nearest-rank percentile of sorted samples. */
export function percentile(sorted: Float64Array, p: number): number {
  // Less a hair: 99.9 % of 1,000 is 999.0000000000001 in floating point, and its rank is 999.
  const rank = Math.ceil((p * sorted.length) / 100 - 1e-9);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

export interface DatagramRateOptions extends Destination {
  perSecond: number;
  durationMs: number;
  size: number;
  timeoutMs: number;
}

/**
 * Datagrams at a fixed offered rate (shared over the drivers, a socket each) for `durationMs`: the
 * percentiles of the echoes' times from when each datagram was due; errors are the datagrams
 * that did not come back (lost), `wrong` the echoes that came back changed or twice.
 */
export async function datagramRate(drivers: LoadDrivers, o: DatagramRateOptions): Promise<{ measurement: LatencyMeasurement; sent: number; wrong: number; firstWrong?: string; sendError?: string }> {
  const results = await drivers.runAll<DatagramsResult>(() => ({ task: 'datagrams', host: o.host, port: o.port, perSecond: o.perSecond / drivers.count, durationMs: o.durationMs, size: o.size, timeoutMs: o.timeoutMs }));
  const samples = new Float64Array(results.reduce((sum, r) => sum + r.samples.length, 0));
  results.reduce((at, r) => (samples.set(r.samples, at), at + r.samples.length), 0);
  const sent = results.reduce((sum, r) => sum + r.sent, 0);
  const label = `${o.perSecond.toLocaleString('en')} datagrams/s`;
  return {
    measurement: latencyOf(label, o.perSecond, drivers.count, samples, sent - samples.length, { concurrencyOf: 'sockets' }),
    sent,
    wrong: results.reduce((sum, r) => sum + r.wrong, 0),
    firstWrong: results.find((r) => r.firstWrong)?.firstWrong,
    sendError: results.find((r) => r.sendError)?.sendError,
  };
}

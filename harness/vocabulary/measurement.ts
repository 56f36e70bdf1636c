/**
 * What a capacity case measured: kept raw in results.json (the case record's `measurements`) and
 * drawn by the HTML report. Steps produce them, reports read them, so the type sits below both.
 * Times are milliseconds from the start of the measurement; sizes are bytes.
 */
export type Measurement = RampMeasurement | RateMeasurement | ThroughputMeasurement | LatencyMeasurement;

/** How a ramp of connections stopped growing, seen from the client side or the harness's own limits. */
export type RampBreak = 'refused' | 'reset' | 'timeout' | 'emfile-harness' | 'emfile-target' | 'ports' | 'other';

/** Concurrent connections: opened up to `target`, each verified by an echo round trip at the end. */
export interface RampMeasurement {
  kind: 'ramp';
  /** What the chart and the summary call it ("10,000 connections"). */
  label: string;
  /** Connections asked for. */
  target: number;
  /** Connections open at the end of the ramp whose echo round trip came back intact. */
  held: number;
  /** Open connections over time. */
  series: { atMs: number; open: number }[];
  /** When the ramp broke: after how many connections, how, and the first error's text. */
  broke?: { after: number; how: RampBreak; detail: string };
  durationMs: number;
}

/** Connections made, echoed and closed one after another per client, sustained for `durationMs`. */
export interface RateMeasurement {
  kind: 'rate';
  label: string;
  completed: number;
  failed: number;
  perSecond: number;
  /** Completed connections per interval. */
  series: { atMs: number; completed: number }[];
  durationMs: number;
}

/** Bytes through one or more streams, each verified end to end. */
export interface ThroughputMeasurement {
  kind: 'throughput';
  label: string;
  streams: {
    /** up: client to server; down: server to client (an echo carries both, counted on return). */
    direction: 'up' | 'down' | 'echo';
    bytes: number;
    durationMs: number;
    bitsPerSecond: number;
    /** Every byte came back (or arrived) in order and intact. */
    verified: boolean;
  }[];
}

/** Round-trip latency at a fixed offered rate, timed from when each request was due (no coordinated omission). */
export interface LatencyMeasurement {
  kind: 'latency';
  label: string;
  offeredPerSecond: number;
  concurrency: number;
  samples: number;
  errors: number;
  /** What each sample times, when not an echo's round trip: 'delivery' for a chat fan-out (sent to each member's arrival). */
  timed?: string;
  /** What `concurrency` counts, when not clients: 'members' of a chat room, 'sockets' sending datagrams. */
  concurrencyOf?: string;
  /** p in percent (50, 90, 99, 99.9, ...), ms in milliseconds; enough points to draw the curve. */
  percentiles: { p: number; ms: number }[];
  maxMs: number;
}

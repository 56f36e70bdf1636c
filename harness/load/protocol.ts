import type { RampBreak } from '../vocabulary/measurement';

/*
 * What the load drivers (driver-main.ts, each a child process) are told over IPC and what they
 * answer. One task at a time per driver; a ramp's connections stay open, held by the driver,
 * until it is told to verify and then to close them.
 */

/** Where every task connects. */
export interface Destination {
  host: string;
  port: number;
}

/** Open `count` connections, one every 1000/perSecond ms; stop at the first that fails. */
export interface RampTask extends Destination {
  task: 'ramp';
  count: number;
  perSecond: number;
  /** How long one connect may take before it counts as a timeout. */
  connectTimeoutMs: number;
  /**
   * Send a newline on every held connection this often (a quarter of the idle timeout: a loaded
   * machine delays timers), until the verification: a server that
   * declares an idle timeout closes a connection idle that long, by its rule, not for the load.
   */
  keepAliveMs?: number;
}

/** Send a line of its own on every open connection and wait for exactly it to come back. */
export interface VerifyTask {
  task: 'verify';
  timeoutMs: number;
}

/** Close the ramp's connections and the chat room's members (with RST: no TIME_WAIT left for the next case's ports). */
export interface ReleaseTask {
  task: 'release';
}

/** `clients` loops of connect, echo a line, close, until `durationMs` has passed. */
export interface RateTask extends Destination {
  task: 'rate';
  clients: number;
  durationMs: number;
  /** Width of the series' buckets. */
  bucketMs: number;
  timeoutMs: number;
}

/** `streams` connections, each sending `bytes` of a seeded random payload and checking its echo. */
export interface ThroughputTask extends Destination {
  task: 'throughput';
  streams: number;
  bytes: number;
  seed: string;
  timeoutMs: number;
}

/**
 * A small echo every 1000/perSecond ms, spread over `clients` connections, for `durationMs`; each
 * round trip timed from when it was due, sent or not (a client still waiting for its previous
 * answer sends late, and the wait counts).
 */
export interface LatencyTask extends Destination {
  task: 'latency';
  clients: number;
  perSecond: number;
  durationMs: number;
  timeoutMs: number;
}

/** One line of a chat profile's join exchange, placeholders already filled in for its member. */
export type JoinLine = { send: string } | { expect: string };

/**
 * Connect the chat members whose join exchanges are given, one after another, and keep them (until
 * the release). Each line to expect is a regex the next line must match whole.
 */
export interface RoomJoinTask extends Destination {
  task: 'room-join';
  /** The first member's number in the whole room (names and who sends what follow from it). */
  first: number;
  scripts: JoinLine[][];
  timeoutMs: number;
}

/**
 * Messages 0..messages-1, message m due at startNs + m * intervalMs and sent by the room's member
 * m % members (the joined ones whose turn it is send theirs); every joined member times each other
 * member's message from when it was due to when it arrived.
 */
export interface RoomTalkTask {
  task: 'room-talk';
  members: number;
  messages: number;
  /** process.hrtime.bigint() of message 0's due time: one clock for every process of this machine. */
  startNs: bigint;
  intervalMs: number;
  /** What comes before a message's text (the profile's `say`). */
  say: string;
  /** How long after the last message's due time a delivery may still come. */
  timeoutMs: number;
}

/**
 * UDP: a datagram of `size` bytes every 1000/perSecond ms for `durationMs`, each numbered, from one
 * socket; each echo timed from when its datagram was due. What has not come back within `timeoutMs`
 * of when it was due is lost.
 */
export interface DatagramsTask extends Destination {
  task: 'datagrams';
  perSecond: number;
  durationMs: number;
  size: number;
  timeoutMs: number;
}

export type Task = RampTask | VerifyTask | ReleaseTask | RateTask | ThroughputTask | LatencyTask | RoomJoinTask | RoomTalkTask | DatagramsTask;

export interface RampResult {
  opened: number;
  broke?: { how: RampBreak; detail: string };
}

export interface VerifyResult {
  held: number;
  /** Why the others did not come back, by kind, with the first one's text. */
  lost: Record<string, { count: number; detail: string }>;
}

export interface RateResult {
  completed: number;
  failed: number;
  firstFailure?: string;
  /** Completed connections per bucket, from the task's start. */
  buckets: number[];
}

export interface StreamResult {
  bytes: number;
  durationMs: number;
  verified: boolean;
  problem?: string;
}

export interface LatencyResult {
  /** Round-trip times in ms, from each request's due time. */
  samples: number[];
  errors: number;
  firstError?: string;
}

export interface RoomJoinResult {
  joined: number;
  /** Why the first member that could not join did not, with its number. */
  problem?: string;
}

export interface RoomTalkResult {
  /** Each delivery's time in ms from its message's due time. */
  samples: Float64Array;
  /** Deliveries that did not come before the deadline. */
  missing: number;
  /** Messages delivered more than once to a member, or back to their sender. */
  extra: number;
  firstProblem?: string;
}

export interface DatagramsResult {
  sent: number;
  /** Each echo's time in ms from when its datagram was due, of those that came within the timeout. */
  samples: Float64Array;
  /** Echoes that differ from what was sent, or come twice; the first one's text. */
  wrong: number;
  firstWrong?: string;
  /** Why sending failed, if it did (the rest were not sent). */
  sendError?: string;
}

export type TaskResult = RampResult | VerifyResult | RateResult | StreamResult[] | LatencyResult | RoomJoinResult | RoomTalkResult | DatagramsResult | null;

/** Parent to driver. */
export interface TaskMessage {
  id: number;
  run: Task;
}

/** Stop what is under way (a ramp) as soon as possible: another driver's ramp broke, or the case ended. */
export interface HaltMessage {
  halt: true;
}

/** Driver to parent. */
export type DriverMessage = { id: number; result: TaskResult } | { id: number; error: string } | { open: number } | { ready: true };

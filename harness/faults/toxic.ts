import type { Random } from './random';

/**
 * The shared shape of every toxic, in Toxiproxy's vocabulary. A `Toxic` is immutable configuration
 * that can be added to many proxies; for each connection it applies to, `stage()` makes a small
 * per-connection object that sees that direction's chunks in order and decides what to pass on and
 * when. New toxics are one file each in ./toxics, built with `defineToxic`.
 */

/** 'upstream' is client → server, 'downstream' server → client (Toxiproxy's `stream`). */
export type Direction = 'upstream' | 'downstream';

export const DIRECTIONS: readonly Direction[] = ['upstream', 'downstream'];

/** Toxiproxy's type names, so reports and suites read like Toxiproxy configurations. */
export type ToxicType = 'latency' | 'bandwidth' | 'slicer' | 'limit_data' | 'reset_peer' | 'timeout' | 'slow_close';

/** Bytes read from one socket, with when they became available to the stage that sees them. */
export interface Chunk {
  readonly data: Buffer;
  /** performance.now() when the bytes were read, or when a delaying stage released them. */
  readonly at: number;
}

/** What a stage may do to its connection. */
export interface StageContext {
  /** Passes bytes to the next stage; resolves once that stage can take more (backpressure). */
  emit(chunk: Chunk): Promise<void>;
  /** Uniform in [0, 1), from the stream seeded by the proxy's seed, the connection and the toxic. */
  readonly random: Random;
  /** Ends this direction here (a FIN after what was emitted), then closes the whole connection. */
  close(): void;
  /** Resets both sides of the connection (RST to the client and to the server) at once. */
  reset(): void;
  /** Aborted when the toxic is removed from this connection or the connection ends: waits stop. */
  readonly signal: AbortSignal;
}

/**
 * One toxic on one connection, in one direction. Chunks arrive one at a time, in order: the next
 * arrives only when `data()` has settled, and at most `bufferBytes` wait in front of the stage, so
 * a slow stage slows the sender instead of buffering without bound. Once its signal is aborted a
 * stage should pass what it holds on at once (Toxiproxy: "don't drop any data on the floor").
 */
export interface ToxicStage {
  /** Bytes allowed to queue in front of this stage (default 64 KiB). */
  readonly bufferBytes?: number;
  data(chunk: Chunk): Promise<void> | void;
  /** The sender's FIN, after all its data; the FIN goes on when this settles (default: at once). */
  end?(): Promise<void> | void;
  /** The toxic was removed while the connection lives (Toxiproxy's Cleanup). */
  removed?(): void;
}

/** The fields every toxic takes besides its own attributes. */
export interface ToxicOptions {
  /** Default 'downstream', as in Toxiproxy. */
  direction?: Direction;
  /** Probability (0..1) that the toxic applies to a given connection; default 1. */
  toxicity?: number;
  /** The id `addToxic` returns; default `<type>_<direction>` (numbered if taken). */
  name?: string;
}

export interface Toxic {
  readonly type: ToxicType;
  readonly direction: Direction;
  readonly toxicity: number;
  readonly name?: string;
  /** The toxic's own fields (ms, KB/s, bytes, µs as in Toxiproxy), for reports. */
  readonly attributes: Readonly<Record<string, number>>;
  stage(context: StageContext): ToxicStage;
}

/** Validates the common and the toxic's own fields once, so stages can trust them. */
export function defineToxic(
  type: ToxicType,
  options: ToxicOptions,
  attributes: Record<string, number>,
  stage: (context: StageContext) => ToxicStage,
): Toxic {
  const direction = options.direction ?? 'downstream';
  const toxicity = options.toxicity ?? 1;
  if (!DIRECTIONS.includes(direction)) throw new TypeError(`${type}: direction must be upstream or downstream, not ${String(direction)}`);
  if (!(toxicity >= 0 && toxicity <= 1)) throw new RangeError(`${type}: toxicity must be within 0..1, not ${toxicity}`);
  for (const [field, value] of Object.entries(attributes)) {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`${type}: ${field} must be a finite number >= 0, not ${value}`);
  }
  return Object.freeze({ type, direction, toxicity, name: options.name, attributes: Object.freeze({ ...attributes }), stage });
}

import { symmetricOffset } from '../random';
import { defineToxic, type Toxic, type ToxicOptions } from '../toxic';
import { wait } from '../wait';

export interface LatencyOptions extends ToxicOptions {
  /** Added to every chunk, in ms. */
  latency: number;
  /** Each chunk's delay is latency ± up to this many ms (uniform), never below 0. */
  jitter?: number;
}

/**
 * Delays each chunk by latency ± jitter, counted from when the proxy read it, so chunks in flight
 * are delayed together (a stream keeps its rate) and kept in order: a chunk drawn a short delay
 * still waits for the one before it, as on one TCP connection.
 */
export function latency(options: LatencyOptions): Toxic {
  const { latency: ms, jitter = 0 } = options;
  return defineToxic('latency', options, { latency: ms, jitter }, ({ emit, random, signal }) => ({
    // A TCP window's worth may be in flight: throughput through the toxic is about 1 MiB / latency.
    bufferBytes: 1024 * 1024,
    async data(chunk) {
      const delay = Math.max(0, ms + symmetricOffset(jitter, random));
      await wait(chunk.at + delay - performance.now(), signal);
      await emit({ data: chunk.data, at: performance.now() });
    },
  }));
}

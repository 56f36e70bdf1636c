import { Type } from '@sinclair/typebox';
import { MAX_DURATION_MS } from '../../vocabulary/units';
import { symmetricOffset } from '../random';
import { defineToxicKind } from '../toxic';
import { wait } from '../wait';

/**
 * Delays each chunk by latency ± jitter, counted from when the proxy read it, so chunks in flight
 * are delayed together (a stream keeps its rate) and kept in order: a chunk drawn a short delay
 * still waits for the one before it, as on one TCP connection.
 */
export const latency = defineToxicKind({
  type: 'latency',
  summary: 'Delays each chunk by latency ± jitter (uniform, never below 0); chunks stay in order.',
  attributes: {
    latency: Type.Number({ minimum: 0, maximum: MAX_DURATION_MS, description: 'ms added to each chunk' }),
    jitter: Type.Optional(Type.Number({ minimum: 0, maximum: MAX_DURATION_MS, description: '± ms around the latency; default 0' })),
  },
  stage: ({ latency: ms, jitter = 0 }, { emit, random, signal }) => ({
    // A TCP window's worth may be in flight: throughput through the toxic is about 1 MiB / latency.
    bufferBytes: 1024 * 1024,
    async data(chunk) {
      const delay = Math.max(0, ms + symmetricOffset(jitter, random));
      await wait(chunk.at + delay - performance.now(), signal);
      await emit({ data: chunk.data, at: performance.now() });
    },
  }),
});

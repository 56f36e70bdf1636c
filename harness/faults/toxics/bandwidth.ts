import { Type } from '@sinclair/typebox';
import { defineToxicKind } from '../toxic';
import { wait } from '../wait';

/** The highest rate: 10 GB/s in KB/s, beyond what loopback carries, so any rate a test means fits. */
export const MAX_RATE_KBPS = 10_000_000;

/** Toxiproxy passes at most 100 ms worth of bytes at a time, so a slow rate still trickles. */
const SLICE_MS = 100;

/**
 * Passes bytes at `rate`. A virtual clock advances by each slice's transmission time and each slice
 * leaves when the clock says: timer lateness does not accumulate, and an idle link earns no burst.
 */
export const bandwidth = defineToxicKind({
  type: 'bandwidth',
  summary: 'Passes bytes at rate KB/s, in slices of at most 100 ms worth.',
  attributes: {
    rate: Type.Number({ minimum: 0, maximum: MAX_RATE_KBPS, description: `KB/s as Toxiproxy counts them (1 KB = 1000 bytes), at most ${MAX_RATE_KBPS}; 0 means no limit` }),
  },
  stage: ({ rate }, { emit, signal }) => {
    let clock = 0;
    return {
      async data(chunk) {
        if (rate === 0) return emit(chunk);
        const slice = Math.max(1, Math.floor(rate * SLICE_MS));
        clock = Math.max(clock, chunk.at);
        for (let offset = 0; offset < chunk.data.length; offset += slice) {
          const data = chunk.data.subarray(offset, offset + slice);
          clock += data.length / rate; // rate KB/s is rate bytes per ms
          await wait(clock - performance.now(), signal);
          await emit({ data, at: chunk.at });
        }
      },
    };
  },
});

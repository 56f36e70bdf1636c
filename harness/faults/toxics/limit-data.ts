import { defineToxic, type Toxic, type ToxicOptions } from '../toxic';

export interface LimitDataOptions extends ToxicOptions {
  /** Bytes passed in this direction before the connection is closed. */
  bytes: number;
}

/**
 * Passes exactly `bytes` bytes in its direction (the chunk that crosses the limit is cut), then
 * ends that direction with a FIN and closes the connection. The count starts when the toxic is
 * added to the connection.
 */
export function limitData(options: LimitDataOptions): Toxic {
  const { bytes } = options;
  return defineToxic('limit_data', options, { bytes }, ({ emit, close }) => {
    let passed = 0;
    return {
      async data(chunk) {
        const data = chunk.data.subarray(0, Math.max(0, bytes - passed));
        passed += data.length;
        if (data.length > 0) await emit({ data, at: chunk.at });
        if (passed >= bytes) close();
      },
    };
  });
}

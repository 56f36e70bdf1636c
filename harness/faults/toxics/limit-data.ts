import { Type } from '@sinclair/typebox';
import { MAX_SIZE_BYTES } from '../../vocabulary/units';
import { defineToxicKind } from '../toxic';

/**
 * Passes exactly `bytes` bytes in its direction (the chunk that crosses the limit is cut), then
 * ends that direction with a FIN and closes the connection. The count starts when the toxic is
 * added to the connection.
 */
export const limitData = defineToxicKind({
  type: 'limit_data',
  summary: 'Passes exactly bytes bytes in its direction, then sends a FIN that way and closes the connection.',
  attributes: {
    bytes: Type.Integer({ minimum: 0, maximum: MAX_SIZE_BYTES, description: 'bytes passed in this direction before the connection is closed' }),
  },
  stage: ({ bytes }, { emit, close }) => {
    let passed = 0;
    return {
      async data(chunk) {
        const data = chunk.data.subarray(0, Math.max(0, bytes - passed));
        passed += data.length;
        if (data.length > 0) await emit({ data, at: chunk.at });
        if (passed >= bytes) close();
      },
    };
  },
});

import { Type } from '@sinclair/typebox';
import { MAX_DURATION_MS } from '../../vocabulary/units';
import { defineToxicKind, type Chunk, type StageContext } from '../toxic';
import { wait } from '../wait';

/**
 * Toxiproxy's reset_peer: the first data (or FIN) in its direction is held back, and `timeout` ms
 * later both sides are reset (RST, "connection reset by peer"); nothing passes in between. Removed
 * before it fires, it passes what it held on instead.
 */
export const resetPeer = defineToxicKind({
  type: 'reset_peer',
  summary: 'Holds the first data (or FIN) in its direction back and resets both sides timeout ms later.',
  attributes: {
    timeout: Type.Number({ minimum: 0, maximum: MAX_DURATION_MS, description: 'ms from the first data (or FIN) in this direction to the reset; 0 resets at once' }),
  },
  stage: ({ timeout }, context) => ({
    data: (chunk) => resetAfter(timeout, context, chunk),
    end: () => resetAfter(timeout, context),
  }),
});

async function resetAfter(timeout: number, { emit, reset, signal }: StageContext, held?: Chunk): Promise<void> {
  if (await wait(timeout, signal)) reset();
  else if (held) await emit(held);
}

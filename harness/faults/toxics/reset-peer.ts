import { defineToxic, type Chunk, type StageContext, type Toxic, type ToxicOptions } from '../toxic';
import { wait } from '../wait';

export interface ResetPeerOptions extends ToxicOptions {
  /** ms from the first data (or FIN) in this direction to the reset; 0 resets at once. */
  timeout: number;
}

/**
 * Toxiproxy's reset_peer: the first data (or FIN) in its direction is held back, and `timeout` ms
 * later both sides are reset (RST, "connection reset by peer"); nothing passes in between. Removed
 * before it fires, it passes what it held on instead.
 */
export function resetPeer(options: ResetPeerOptions): Toxic {
  const { timeout } = options;
  return defineToxic('reset_peer', options, { timeout }, (context) => ({
    data: (chunk) => resetAfter(timeout, context, chunk),
    end: () => resetAfter(timeout, context),
  }));
}

async function resetAfter(timeout: number, { emit, reset, signal }: StageContext, held?: Chunk): Promise<void> {
  if (await wait(timeout, signal)) reset();
  else if (held) await emit(held);
}

import type { Chunk } from './toxic';

/**
 * Where a stage (or the reading socket) hands its output: the next stage, or the writing socket.
 * The same contract as a Node Writable, reduced to what the pipeline needs: write until `write`
 * returns false, then wait for `ready()`; so every hop holds a bounded amount.
 */
export interface Inlet {
  /** Takes the chunk; false when past the high-water mark: wait for ready() before writing more. */
  write(chunk: Chunk): boolean;
  /** No more chunks will come: pass the FIN on. */
  end(): void;
  /** Resolves once under the high-water mark again, or once the inlet is gone. */
  ready(): Promise<void>;
  /** Bytes held here and not yet passed on. */
  readonly buffered: number;
}

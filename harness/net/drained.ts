import type { Writable } from 'node:stream';

/**
 * Resolves when a stream that refused more data takes it again ('drain') or is gone ('close'),
 * removing both listeners either way: a long transfer waits here thousands of times.
 */
export function drainedOrClosed(stream: Writable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
  });
}

import { performance } from 'node:perf_hooks';

/**
 * Resolves at `due` (performance.now()), never before: a timer may fire up to a millisecond early,
 * and a request sent before it was due would be timed short. What the drivers pace their sends by.
 */
export async function until(due: number): Promise<void> {
  for (let wait = due - performance.now(); wait > 0; wait = due - performance.now()) {
    await new Promise((resolve) => (wait >= 1 ? setTimeout(resolve, wait) : setImmediate(resolve)));
  }
}

import { sleep } from '../net/waiter';

/**
 * Waits `ms` unless the signal aborts first; true when the whole time passed. A Node timer counts
 * from the event loop's cached clock, so it can fire a little before `ms` of real time: the wait
 * goes on until performance.now() says it is over, and a delay is never shorter than asked. Timers
 * cannot wait less than 1 ms, so shorter waits (Toxiproxy's slicer delay is in µs) yield to the
 * event loop once instead: the pause is real but its length is the loop's.
 */
export async function wait(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  if (ms > 0 && ms < 1) {
    await new Promise<void>((resolve) => setImmediate(resolve));
    return !signal.aborted;
  }
  const deadline = performance.now() + ms;
  for (let left = ms; left > 0 && !signal.aborted; left = deadline - performance.now()) await sleep(Math.ceil(left), signal);
  return !signal.aborted;
}

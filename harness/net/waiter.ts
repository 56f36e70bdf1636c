/**
 * Lets a step wait until some condition on a connection holds, woken by every socket event, with
 * an absolute deadline. The reason a wait ended is returned, never thrown, so the step can explain.
 */
export type WaitResult = 'ready' | 'deadline' | 'aborted';

export class Waiter {
  private readonly wakers = new Set<() => void>();

  /** Call after anything that could change a waited-for condition. */
  notify(): void {
    for (const wake of [...this.wakers]) wake();
  }

  until(condition: () => boolean, deadline: number, signal?: AbortSignal): Promise<WaitResult> {
    if (condition()) return Promise.resolve('ready');
    return new Promise((resolve) => {
      const finish = (result: WaitResult) => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        signal?.removeEventListener('abort', onAbort);
        resolve(result);
      };
      const wake = () => {
        if (condition()) finish('ready');
      };
      const onAbort = () => finish('aborted');
      const timer = setTimeout(() => finish(condition() ? 'ready' : 'deadline'), Math.max(0, deadline - Date.now()));
      this.wakers.add(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) finish('aborted');
    });
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * How long a step waits: `idleMs` without progress, renewed by `progress()` each time expected
 * data arrives, and never past the case's deadline. A slow but steady transfer of 16 MiB is not a
 * failure; a stall of `idleMs` is.
 */
export class Patience {
  deadline = 0;

  constructor(
    readonly idleMs: number,
    private readonly caseDeadline: number,
    readonly signal: AbortSignal,
  ) {
    this.progress();
  }

  progress(): void {
    this.deadline = Math.min(Date.now() + this.idleMs, this.caseDeadline);
  }

  /** Why a wait that ended without its condition ended, for failure messages. */
  why(result: WaitResult): string {
    return result === 'aborted' || this.deadline >= this.caseDeadline ? 'the case deadline passed' : `nothing more came for ${this.idleMs} ms`;
  }
}

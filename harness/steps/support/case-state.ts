import type { CaseRun, StepContext } from '../context';

/**
 * State the steps of one concern share within one case run (the servers lifecycle steps launched,
 * the fault proxy): made on first use, and gone with the run. It stays with the steps that use it,
 * so the case runner knows nothing of it; what it holds is released through StepContext.onCleanup.
 */
export function caseState<T>(create: () => T): (run: CaseRun) => T {
  const states = new WeakMap<CaseRun, T>();
  return (run) => {
    const state = states.get(run) ?? create();
    states.set(run, state);
    return state;
  };
}

/**
 * Awaits a start (a server instance, the fault proxy, a held port) whose result the case holds
 * until it ends. The release is registered before the start finishes: when the case deadline ends
 * the step first, what finishes starting later is still released.
 */
export function holdUntilCaseEnds<T>(ctx: StepContext, start: Promise<T>, release: (started: T) => Promise<unknown>): Promise<T> {
  ctx.onCleanup(async () => {
    // A start that failed holds nothing; its error is the step's to report.
    await start.then(release, () => undefined);
  });
  return start;
}

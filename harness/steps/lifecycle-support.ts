import type { CaseRun } from '../run/context';
import type { Launcher } from '../targets/launcher';
import { SuiteUsageError } from '../verdict/failure';

/** The default name lifecycle steps give the server instance they start. */
export const DEFAULT_SERVER = 'server';

export function launcherOf(run: CaseRun): Launcher {
  // Cases with lifecycle steps list `needs: [restart]` and are skipped without a launcher.
  if (!run.launcher) throw new SuiteUsageError('this step needs a target sockspec starts itself; the case should list needs: [restart]');
  return run.launcher;
}

/**
 * Awaits a start (a server instance, the fault proxy, a held port) and registers what it started in
 * run.lifecycle as part of the same work, which the case's clean-up waits for: when the case
 * deadline ends the step first, what finishes starting later is still registered, and so stopped.
 */
export async function registerWhenStarted<T>(run: CaseRun, start: Promise<T>, register: (started: T) => void): Promise<T> {
  const work = start.then((started) => {
    register(started);
    return started;
  });
  run.lifecycle.starting.add(work);
  try {
    return await work;
  } finally {
    run.lifecycle.starting.delete(work);
  }
}

/** The port of the service the case currently talks to. */
export function currentPort(run: CaseRun): number {
  const port = run.lifecycle.lastPort ?? run.endpoints[run.service]?.port;
  if (port === undefined) throw new SuiteUsageError('no server has been started in this case yet');
  return port;
}

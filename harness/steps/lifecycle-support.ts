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

/** The port of the service the case currently talks to. */
export function currentPort(run: CaseRun): number {
  const port = run.lifecycle.lastPort ?? run.endpoints[run.service]?.port;
  if (port === undefined) throw new SuiteUsageError('no server has been started in this case yet');
  return port;
}

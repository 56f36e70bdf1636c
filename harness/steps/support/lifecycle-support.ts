import type { CaseRun } from '../context';
import type { Instance, Launcher } from '../../targets/launcher';
import { SuiteUsageError } from '../../verdict/failure';
import { caseState } from './case-state';

/** The default name lifecycle steps give the server instance they start. */
export const DEFAULT_SERVER = 'server';

/** How long the end of a case waits for a launched instance to stop before it is killed. */
export const RELEASE_STOP_MS = 2000;

/** What the lifecycle steps of one case share. */
interface Lifecycle {
  /** The instances launched, by name (`as:`), for stop-server. */
  instances: Map<string, Instance>;
  /** The port of the most recent launch, for "start again on the same port". */
  lastPort?: number;
  /** The port sockspec holds itself (hold-port), to start a server on a port that is taken. */
  heldPort?: number;
}

export const lifecycleOf = caseState<Lifecycle>(() => ({ instances: new Map() }));

export function launcherOf(run: CaseRun): Launcher {
  // Cases with lifecycle steps list `needs: [restart]` and are skipped without a launcher.
  if (!run.launcher) throw new SuiteUsageError('this step needs a target sockspec starts itself; the case should list needs: [restart]');
  return run.launcher;
}

/** The port of the service the case currently talks to. */
export function currentPort(run: CaseRun): number {
  const port = lifecycleOf(run).lastPort ?? run.endpoints[run.service]?.port;
  if (port === undefined) throw new SuiteUsageError('no server has been started in this case yet');
  return port;
}

import { ContainerTarget, type ContainerTargetOptions } from './container';
import type { Endpoint, ServiceName } from './target';
import { TargetError } from './target';
import { endedInstance, type Instance, type LaunchOutcome, type Launcher } from './launcher';

/** docker stop's SIGKILL after the grace time: the server ignored SIGTERM (often: it runs as PID 1 without a handler). */
const KILLED = 137;

/**
 * Starts a fresh container of the target's image for each lifecycle launch. A container has a
 * network namespace of its own, so cases about ports on this host (a port held here, TIME_WAIT
 * left by an earlier start, a second instance on one port) do not apply: they need `host-network`.
 */
export class ContainerLauncher implements Launcher {
  readonly sharesHostNetwork = false;
  private options: Promise<ContainerTargetOptions> | undefined;

  /** `imageOptions`: what runs the image, asked for once, on the first launch (it may build the image). */
  constructor(
    readonly description: string,
    private readonly imageOptions: () => Promise<ContainerTargetOptions>,
  ) {}

  async launch(service: ServiceName, _port: number, deadline: number): Promise<LaunchOutcome> {
    let options: ContainerTargetOptions;
    try {
      options = await (this.options ??= this.imageOptions());
    } catch (err) {
      const why = `the image could not be prepared: ${(err as Error).message}`;
      return { ready: false, instance: endedInstance(why), why };
    }
    const target = new ContainerTarget({ ...options, startupTimeoutMs: Math.max(1, deadline - Date.now()) });
    try {
      const endpoints = await target.start([service]);
      return { ready: true, instance: containerInstance(target), endpoint: endpoints[service] as Endpoint };
    } catch (err) {
      if (!(err instanceof TargetError)) throw err;
      return { ready: false, instance: endedInstance(err.message, err.output), why: err.message };
    }
  }
}

function containerInstance(target: ContainerTarget): Instance {
  let exit: string | undefined;
  return {
    get running() {
      return exit === undefined;
    },
    get exitDescription() {
      return exit;
    },
    output: () => target.logs(),
    // Its sockets are in its own namespace: the host's /proc does not show them.
    listeningPorts: () => [],
    async stop(timeoutMs) {
      const started = Date.now();
      const code = await target.stopWithin(timeoutMs);
      exit = code === undefined ? 'removed' : `code ${code}${code === KILLED ? ' (killed after ignoring SIGTERM)' : ''}`;
      return { graceful: code !== KILLED, exit, ms: Date.now() - started };
    },
  };
}

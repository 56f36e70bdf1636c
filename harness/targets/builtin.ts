import { REFERENCE_SERVERS } from '../servers/catalog';
import type { RunningServer } from '../servers/running-server';
import type { Endpoints, ServiceName, Target } from './target';
import { endedInstance, type Instance, type LaunchOutcome, type Launcher } from './launcher';

/** The reference servers, started in this process on ephemeral loopback ports. */
export class BuiltinTarget implements Target {
  readonly description = 'builtin';
  private running: RunningServer[] = [];

  async start(services: readonly ServiceName[]): Promise<Endpoints> {
    const endpoints: Endpoints = {};
    for (const service of services) {
      const reference = REFERENCE_SERVERS[service];
      const server = await reference.start({});
      this.running.push(server);
      endpoints[service] = { host: server.host, port: server.port, transport: server.transport, tls: reference.tls, idleTimeoutMs: reference.idleTimeoutMs };
    }
    return endpoints;
  }

  async stop(): Promise<void> {
    const running = this.running;
    this.running = [];
    await Promise.all(running.map((server) => server.close()));
  }
}

/** Starts reference servers in this process; a start that cannot bind ends like a process that exits. */
export class BuiltinLauncher implements Launcher {
  readonly description = 'builtin';
  readonly sharesHostNetwork = true;

  async launch(service: ServiceName, port: number): Promise<LaunchOutcome> {
    try {
      const server = await REFERENCE_SERVERS[service].start({ port });
      return { ready: true, instance: inProcessInstance(server) };
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      return { ready: false, instance: endedInstance(why), why: `the server could not start: ${why}` };
    }
  }
}

function inProcessInstance(server: RunningServer): Instance {
  let ended: string | undefined;
  return {
    get running() {
      return ended === undefined;
    },
    get exitDescription() {
      return ended;
    },
    output: () => [],
    listeningPorts: () => (ended === undefined ? [server.port] : []),
    async stop() {
      const started = Date.now();
      await server.close();
      ended = 'stopped';
      return { graceful: true, exit: ended, ms: Date.now() - started };
    },
  };
}

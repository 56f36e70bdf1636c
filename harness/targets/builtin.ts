import { REFERENCE_SERVERS } from '../servers/catalog';
import type { RunningServer } from '../servers/running-server';
import type { Endpoints, ServiceName, Target } from './target';

/** The reference servers, started in this process on ephemeral loopback ports. */
export class BuiltinTarget implements Target {
  readonly description = 'builtin';
  readonly controlled = true;
  private running: RunningServer[] = [];

  async start(services: readonly ServiceName[]): Promise<Endpoints> {
    const endpoints: Endpoints = {};
    for (const service of services) {
      const reference = REFERENCE_SERVERS[service];
      const server = await reference.start({});
      this.running.push(server);
      endpoints[service] = { host: server.host, port: server.port, transport: server.transport, tls: reference.tls };
    }
    return endpoints;
  }

  async stop(): Promise<void> {
    const running = this.running;
    this.running = [];
    await Promise.all(running.map((server) => server.close()));
  }
}

import { SERVICE_TRANSPORT, TargetError, type Endpoints, type ServiceName, type Target, type Transport } from './target';

/** A server someone else runs, at a fixed address: sockspec only connects to it. */
export class AddressTarget implements Target {
  readonly description: string;

  private constructor(
    private readonly transport: Transport,
    private readonly host: string,
    private readonly port: number,
  ) {
    this.description = `${transport}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  /** Parses `tcp://HOST:PORT` or `udp://HOST:PORT` (IPv6 hosts in brackets). */
  static parse(url: string): AddressTarget {
    const match = /^(tcp|udp):\/\/(\[[0-9a-fA-F:.]+\]|[^:/\s]+):(\d{1,5})$/.exec(url);
    const port = match ? Number(match[3]) : NaN;
    if (!match || port < 1 || port > 65535) {
      throw new TargetError(`not a target address: ${url} (expected tcp://HOST:PORT or udp://HOST:PORT)`);
    }
    return new AddressTarget(match[1] as Transport, match[2].replace(/^\[|\]$/g, ''), port);
  }

  async start(services: readonly ServiceName[]): Promise<Endpoints> {
    const endpoints: Endpoints = {};
    for (const service of services) {
      if (SERVICE_TRANSPORT[service] !== this.transport) {
        throw new TargetError(`the ${service} service needs ${SERVICE_TRANSPORT[service]}, but the target is ${this.description}`);
      }
      endpoints[service] = { host: this.host, port: this.port, transport: this.transport };
    }
    return endpoints;
  }

  async stop(): Promise<void> {}
}

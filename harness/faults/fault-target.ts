import type { Endpoint, Endpoints, ServiceName, Target } from '../targets/target';
import { startFaultProxy, type FaultProxy } from './proxy';
import type { Toxic } from './toxic';

export interface FaultTargetOptions {
  /** Seed of every proxy (see FaultProxyOptions); the same for each service's proxy. */
  seed?: string;
}

/**
 * Any target, reached through a fault proxy per TCP endpoint. The proxy only moves bytes, so TLS
 * runs end to end through it and the endpoint's TLS settings (CA, SNI name, ALPN) are kept as
 * they are; UDP endpoints are passed through untouched (the proxy speaks TCP only).
 */
export class FaultTarget implements Target {
  private running: Partial<Record<ServiceName, FaultProxy>> = {};

  constructor(
    private readonly inner: Target,
    private readonly toxics: readonly Toxic[] = [],
    private readonly options: FaultTargetOptions = {},
  ) {}

  get description(): string {
    return `${this.inner.description} (through a fault proxy)`;
  }


  async start(services: readonly ServiceName[]): Promise<Endpoints> {
    const endpoints = await this.inner.start(services);
    const proxied: Endpoints = {};
    for (const [service, endpoint] of Object.entries(endpoints) as Array<[ServiceName, Endpoint]>) {
      proxied[service] = endpoint.transport === 'tcp' ? await this.proxy(service, endpoint) : endpoint;
    }
    return proxied;
  }

  async stop(): Promise<void> {
    const proxies = Object.values(this.running);
    this.running = {};
    await Promise.all(proxies.map((proxy) => proxy.close()));
    await this.inner.stop();
  }

  /** The running proxies by service, so a step can change toxics while a case runs. */
  proxies(): Readonly<Partial<Record<ServiceName, FaultProxy>>> {
    return { ...this.running };
  }

  private async proxy(service: ServiceName, endpoint: Endpoint): Promise<Endpoint> {
    const proxy = await startFaultProxy(endpoint, { seed: this.options.seed });
    // Kept before the toxics are added, so that stop() closes it even if one is rejected.
    this.running[service] = proxy;
    for (const toxic of this.toxics) proxy.addToxic(toxic);
    return { ...endpoint, host: proxy.host, port: proxy.port };
  }
}

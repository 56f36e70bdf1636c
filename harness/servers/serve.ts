import { REFERENCE_SERVERS, type ReferenceStartOptions } from './catalog';
import type { RunningServer } from './running-server';
import type { ServiceName } from '../targets/target';

/**
 * Runs one reference server in the foreground until SIGINT or SIGTERM. The "listening" line is what
 * command and container targets wait for, so its wording is stable.
 */
export async function serveForeground(service: ServiceName, options: ReferenceStartOptions & { host: string; port: number }): Promise<void> {
  const { host } = options;
  const server: RunningServer = await REFERENCE_SERVERS[service].start(options);
  process.stdout.write(`sockspec serve: ${service} listening on ${host}:${server.port} (${server.transport})\n`);
  await new Promise<void>((resolve) => {
    const stop = () => void server.close().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

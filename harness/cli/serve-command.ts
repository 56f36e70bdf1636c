import { REFERENCE_SERVERS } from '../servers/catalog';
import { serveForeground } from '../servers/serve';
import type { ServiceName } from '../targets/target';
import { UsageError } from './errors';
import { parsePort } from './ports';

export async function serve(positionals: string[], flags: { port?: string; host?: string }): Promise<number> {
  const [service, ...extra] = positionals;
  const known = Object.keys(REFERENCE_SERVERS);
  if (!service) throw new UsageError('serve needs a SERVICE', `services: ${known.join(', ')}`);
  if (extra.length) throw new UsageError(`unexpected argument: ${extra[0]}`);
  if (!known.includes(service)) throw new UsageError(`unknown service "${service}"`, `services: ${known.join(', ')}`);
  await serveForeground(service as ServiceName, flags.host ?? '127.0.0.1', flags.port === undefined ? 0 : parsePort(flags.port));
  return 0;
}

import { parseDuration } from '../vocabulary/units';
import type { Endpoints, ServiceName } from '../targets/target';
import { UsageError } from './errors';

/** `--idle-timeout 30s` (or `1500ms`, or plain milliseconds): what the target declares, in ms. */
export function idleTimeoutDeclaration(flag: string | undefined): number | undefined {
  if (flag === undefined) return undefined;
  const ms = parseDuration(flag);
  if (ms === undefined || ms <= 0) throw new UsageError(`--idle-timeout takes a duration such as 30s or 1500ms, not "${flag}"`);
  return ms;
}

/** The endpoints with the declared idle timeout on every TCP service (the flag wins over the target's own). */
export function declareIdleTimeout(endpoints: Endpoints, idleTimeoutMs: number | undefined): Endpoints {
  if (idleTimeoutMs === undefined) return endpoints;
  const result: Endpoints = { ...endpoints };
  for (const [service, endpoint] of Object.entries(endpoints) as Array<[ServiceName, NonNullable<Endpoints[ServiceName]>]>) {
    if (endpoint.transport === 'tcp') result[service] = { ...endpoint, idleTimeoutMs };
  }
  return result;
}

import type { Declarations } from './define';
import { SERVICE_TRANSPORT, TLS_SERVICES, type Endpoint, type Endpoints, type ServiceName } from './target';

/**
 * The endpoints with what the target declares: the TLS declarations on every TLS service, the
 * idle timeout and the capacity on every TCP one. A declaration wins over what the target itself said.
 */
export function declareEndpoints(endpoints: Endpoints, declared: Declarations | undefined): Endpoints {
  const result: Endpoints = { ...endpoints };
  for (const [service, endpoint] of Object.entries(endpoints) as Array<[ServiceName, Endpoint]>) {
    result[service] = { ...endpoint, ...declaredOn(service, endpoint.tls, declared) };
  }
  return result;
}

/** What a target declares for one service before it starts: what its cases' needs are checked against. */
export function declaredEndpoint(service: ServiceName, declared: Declarations | undefined): Endpoint {
  return { host: '', port: 0, transport: SERVICE_TRANSPORT[service], ...declaredOn(service, undefined, declared) };
}

function declaredOn(service: ServiceName, own: Endpoint['tls'], declared: Declarations | undefined): Pick<Endpoint, 'tls' | 'idleTimeoutMs' | 'capacity'> {
  const fields: Pick<Endpoint, 'tls' | 'idleTimeoutMs' | 'capacity'> = {};
  if (TLS_SERVICES.includes(service) && (own || declared?.tls)) fields.tls = { ...own, ...definedOnly(declared?.tls ?? {}) };
  if (SERVICE_TRANSPORT[service] === 'tcp' && declared?.idleTimeoutMs !== undefined) fields.idleTimeoutMs = declared.idleTimeoutMs;
  if (SERVICE_TRANSPORT[service] === 'tcp' && declared?.capacity !== undefined) fields.capacity = declared.capacity;
  return fields;
}

/**
 * The endpoints of a target that declares everything else itself (the builtin reference servers)
 * with the capacity it is told: what load a server carries depends on the machine, so even the
 * reference's is declared by whoever runs it.
 */
export function declareCapacity(endpoints: Endpoints, declared: Declarations | undefined): Endpoints {
  if (declared?.capacity === undefined) return endpoints;
  const result: Endpoints = { ...endpoints };
  for (const [service, endpoint] of Object.entries(endpoints) as Array<[ServiceName, Endpoint]>) {
    if (SERVICE_TRANSPORT[service] === 'tcp') result[service] = { ...endpoint, capacity: declared.capacity };
  }
  return result;
}

/** The fields that are set: a declaration left out does not overwrite one given. */
export function definedOnly<T extends object>(fields: T): T {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as T;
}

import { readFileSync } from 'node:fs';
import { TLS_SERVICES, type Endpoints, type TlsEndpoint } from '../targets/target';
import { UsageError } from './errors';

export interface TlsFlags {
  ca?: string;
  servername?: string;
  altServername?: string;
  alpn?: string;
}

/** What the TLS flags declare about the target; undefined when none was given. */
export function tlsDeclaration(flags: TlsFlags): TlsEndpoint | undefined {
  if (flags.ca === undefined && flags.servername === undefined && flags.altServername === undefined && flags.alpn === undefined) return undefined;
  return {
    ca: flags.ca === undefined ? undefined : readCa(flags.ca),
    servername: flags.servername,
    altServername: flags.altServername,
    alpn: flags.alpn?.split(',').map((p) => p.trim()).filter(Boolean),
  };
}

/** The endpoints with the declaration applied to every TLS service (flags win over the target's own). */
export function declareTls(endpoints: Endpoints, declared: TlsEndpoint | undefined): Endpoints {
  if (!declared) return endpoints;
  const result: Endpoints = { ...endpoints };
  for (const service of TLS_SERVICES) {
    const endpoint = result[service];
    if (endpoint) result[service] = { ...endpoint, tls: { ...endpoint.tls, ...definedOnly(declared) } };
  }
  return result;
}

function definedOnly(declared: TlsEndpoint): TlsEndpoint {
  return Object.fromEntries(Object.entries(declared).filter(([, v]) => v !== undefined)) as TlsEndpoint;
}

function readCa(file: string): string {
  try {
    const pem = readFileSync(file, 'utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no PEM certificate in it');
    return pem;
  } catch (err) {
    throw new UsageError(`--ca ${file}: ${(err as Error).message}`);
  }
}

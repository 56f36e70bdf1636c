import { readFileSync } from 'node:fs';
import type { TlsEndpoint } from '../targets/target';
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

function readCa(file: string): string {
  try {
    const pem = readFileSync(file, 'utf8');
    if (!pem.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no PEM certificate in it');
    return pem;
  } catch (err) {
    throw new UsageError(`--ca ${file}: ${(err as Error).message}`);
  }
}

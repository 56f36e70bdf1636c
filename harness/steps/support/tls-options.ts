import { Type, type Static } from '@sinclair/typebox';
import type tls from 'node:tls';
import { cachedCertificateSet } from '../../certs/cache';
import { SERVER_NAME } from '../../certs/certificate-set';
import type { TlsClientOptions } from '../../net/tls-connect';
import type { Endpoint } from '../../targets/target';
import { SuiteUsageError } from '../../verdict/failure';
import type { Need } from '../../vocabulary/needs';

const VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
const Version = Type.Union(VERSIONS.map((v) => Type.Literal(v)));

/** How a TLS client step connects. `$alt` and `$declared` stand for what the target declares. */
export const TlsOptions = Type.Object(
  {
    min: Type.Optional(Version),
    max: Type.Optional(Version),
    ciphers: Type.Optional(Type.String({ description: 'OpenSSL cipher list (TLS 1.2 and older); the security level is lowered so weak suites can be offered' })),
    servername: Type.Optional(Type.String({ description: 'SNI host name and the name the certificate must match; "$alt" is the second name the target declares' })),
    alpn: Type.Optional(Type.Array(Type.String(), { description: 'protocols to offer; "$declared" expands to the ones the target declares' })),
    clientCert: Type.Optional(Type.Union([Type.Literal('run-ca'), Type.Literal('other-ca')], { description: "present a client certificate signed by the run's CA, or by an unrelated CA" })),
    verify: Type.Optional(Type.Boolean({ description: 'verify the chain and host name (default true)' })),
  },
  { additionalProperties: false },
);
export type TlsOptionsSpec = Static<typeof TlsOptions>;

/** A step's TLS options that can never work, for its kind's `check`: a version range that offers nothing. */
export function checkTlsOptions(spec: TlsOptionsSpec, report: (problem: string, at?: string) => void): void {
  if (spec.min && spec.max && VERSIONS.indexOf(spec.min) > VERSIONS.indexOf(spec.max)) {
    report(`tls.min (${spec.min}) is above tls.max (${spec.max}): such a client offers nothing`, 'tls');
  }
}

/** What the options' `$alt` and `$declared` need the target to declare, for a step kind's `needs`. */
export function tlsNeeds(spec: TlsOptionsSpec | undefined): Need[] {
  return [...(spec?.servername === '$alt' ? ['sni' as const] : []), ...(spec?.alpn?.includes('$declared') ? ['alpn' as const] : [])];
}

/** The client options for a step: the step's own, filled in from the endpoint and the run's certificates. */
export async function clientOptions(spec: TlsOptionsSpec, endpoint: Endpoint): Promise<TlsClientOptions> {
  const certs = await cachedCertificateSet();
  const declared = endpoint.tls ?? {};
  return {
    servername: resolveServername(spec.servername, endpoint),
    ca: declared.ca ?? certs.ca.cert,
    verify: spec.verify ?? true,
    minVersion: spec.min as tls.SecureVersion | undefined,
    maxVersion: spec.max as tls.SecureVersion | undefined,
    ciphers: spec.ciphers,
    alpn: spec.alpn?.flatMap((p) => (p === '$declared' ? requireDeclared(declared.alpn, 'an ALPN list') : [p])),
    clientCert: spec.clientCert === 'run-ca' ? certs.client : spec.clientCert === 'other-ca' ? certs.otherCaClient : undefined,
  };
}

export function resolveServername(name: string | undefined, endpoint: Endpoint): string {
  if (name === '$alt') return requireDeclared(endpoint.tls?.altServername, 'a second server name (SNI)');
  return name ?? endpoint.tls?.servername ?? SERVER_NAME;
}

function requireDeclared<T>(value: T | undefined, what: string): T {
  // Cases that need a declaration say so in `needs`, and are skipped when it is missing.
  if (value === undefined) throw new SuiteUsageError(`the target declares no ${what}; the case should list it under needs`);
  return value;
}

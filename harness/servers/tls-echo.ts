import type net from 'node:net';
import tls from 'node:tls';
import type { PemPair } from '../certs/authority';
import { cachedCertificateSet } from '../certs/cache';
import { ALT_SERVER_NAME, type CertificateSet } from '../certs/certificate-set';
import { listenTcp } from './listen';
import type { ListenOptions, RunningServer } from './running-server';

/** Offered in this order: the server picks its first entry that the client also offers. */
export const DEFAULT_ALPN: readonly string[] = ['sockspec/1', 'http/1.1'];

/**
 * TLS 1.3's three suites, then for TLS 1.2 only forward-secret AEAD suites. The certificates are
 * RSA, so ECDHE-RSA; no CBC, no static RSA key exchange, nothing NULL, RC4, 3DES or EXPORT.
 */
export const MODERN_CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

export interface TlsEchoOptions extends ListenOptions {
  certs: CertificateSet;
  /** Mutual TLS: ask for a client certificate, and refuse any not signed by `certs.ca`. */
  requireClientCert?: boolean;
  alpn?: readonly string[];
}

/**
 * Everything that makes a TLS echo server what it is. The reference server is one design; each
 * mutant in fixtures/mutants/tls starts from it and changes one part, so the two cannot drift.
 */
export interface TlsEchoDesign {
  /** Protocol versions, ciphers, default certificate, ALPN, client certificates: node:tls's own names. */
  tls: tls.TlsOptions;
  /** Certificates by SNI host name; any other name (or none) gets the default certificate. */
  sni: Readonly<Record<string, PemPair>>;
  /** Takes each connection once its handshake is done. */
  serve(socket: tls.TLSSocket): void;
  /** Changes how the server takes its connections, before it listens (a mutant's seam); the reference leaves node:tls's own. */
  accept?(server: tls.Server): void;
}

export function startTlsEcho(options: TlsEchoOptions): Promise<RunningServer> {
  return startTlsDesign(referenceDesign(options), options);
}

/**
 * For `sockspec serve tls-echo --port N [--mtls]`: uses the cached certificate set, so a client
 * configured with its CA keeps working across restarts, and returns it for writing out or printing.
 */
export async function serveTlsEcho(options: ListenOptions & { mtls?: boolean }): Promise<RunningServer & { certs: CertificateSet }> {
  const certs = await cachedCertificateSet();
  const server = await startTlsEcho({ ...options, certs, requireClientCert: options.mtls });
  return { ...server, certs };
}

export function referenceDesign(options: TlsEchoOptions): TlsEchoDesign {
  const { certs, requireClientCert = false } = options;
  return {
    tls: {
      ...certs.server,
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
      ciphers: MODERN_CIPHERS,
      honorCipherOrder: true,
      ALPNProtocols: [...(options.alpn ?? DEFAULT_ALPN)],
      ...(requireClientCert ? { requestCert: true, rejectUnauthorized: true, ca: certs.ca.cert } : {}),
    },
    sni: { [ALT_SERVER_NAME]: certs.alt },
    serve: (socket) => echo(socket),
  };
}

export function startTlsDesign(design: TlsEchoDesign, where: ListenOptions): Promise<RunningServer> {
  // allowHalfOpen: a client that ends its write side still gets the rest of its echo.
  const server = tls.createServer({ ...design.tls, allowHalfOpen: true, SNICallback: sniCallback(design) }, design.serve);
  design.accept?.(server);
  return listenTcp(server, where);
}

/**
 * Echoes every byte in order, then runs `finish` once the client has ended its write side. pipe()
 * stops reading while the write side is full, so a client that sends without reading cannot make
 * the server buffer without bound. By default `finish` ends the TLS session properly: close_notify,
 * queued behind the last echoed bytes, then FIN.
 */
export function echo(socket: net.Socket, finish: (socket: net.Socket) => void = (s) => s.end()): void {
  // A client may reset at any time; that ends this connection only.
  socket.on('error', () => socket.destroy());
  socket.pipe(socket, { end: false });
  socket.once('end', () => finish(socket));
}

/**
 * Each SNI context repeats the design's settings, so a connection that switches certificate by SNI
 * keeps the same versions, ciphers and client certificate checks.
 */
function sniCallback(design: TlsEchoDesign): tls.TlsOptions['SNICallback'] {
  const contexts = new Map(
    Object.entries(design.sni).map(([name, pair]) => [name.toLowerCase(), tls.createSecureContext({ ...design.tls, ...pair })]),
  );
  return (servername, callback) => callback(null, contexts.get(servername.toLowerCase()));
}

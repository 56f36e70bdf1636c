import type { X509Certificate } from 'node:crypto';
import type tls from 'node:tls';
import type { SeenRecord } from './record-tap';

/** What a TLS handshake settled, as the client saw it. */
export interface TlsSession {
  protocol: string;
  cipher: string;
  /** The protocol the server selected, or false when it selected none. */
  alpn: string | false;
  /** Whether the chain verified against the CA and the host name matched (when verification was on). */
  authorized: boolean;
  authorizationError?: string;
  certificate?: X509Certificate;
  /** The TLS records the server sent after the handshake: how many, and the last (kept up to date). */
  recordsAfterHandshake: RecordsSeen;
}

export function sessionOf(socket: tls.TLSSocket): TlsSession {
  const peer = socket.getPeerX509Certificate();
  return {
    protocol: socket.getProtocol() ?? 'unknown',
    cipher: socket.getCipher()?.standardName ?? 'unknown',
    alpn: socket.alpnProtocol ?? false,
    authorized: socket.authorized,
    authorizationError: socket.authorizationError ? String(socket.authorizationError) : undefined,
    certificate: peer ?? undefined,
    recordsAfterHandshake: { count: 0 },
  };
}

export function describeSession(session: TlsSession): string {
  const cert = session.certificate ? `, certificate ${session.certificate.subject.replace(/\n/g, ', ')}` : '';
  return `${session.protocol} ${session.cipher}, ALPN ${session.alpn || 'none'}${cert}${session.authorized ? ', verified' : ''}`;
}

/** Only the count and the last one are kept, so a long session costs no memory per record. */
export interface RecordsSeen {
  count: number;
  last?: SeenRecord;
}

import net from 'node:net';
import tls from 'node:tls';
import type { Endpoint } from '../targets/target';
import type { Transcript } from './transcript';
import { TcpConnection, openTcp } from './tcp-connection';
import { RecordTap } from './record-tap';
import { RECORD_TYPE } from './record-types';
import { type RecordsSeen, describeSession, sessionOf } from './tls-session';
import { describeAlert } from './tls-alerts';
import { ServerAnswer } from './server-answer';
import { logKey } from '../capture/key-log';

export interface TlsClientOptions {
  servername: string;
  /** The CA to verify the server against. */
  ca?: string;
  /** Verify the chain and the host name (when false the handshake completes whatever the certificate). */
  verify: boolean;
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  ciphers?: string;
  alpn?: string[];
  /** A client certificate and key (PEM) for mutual TLS. */
  clientCert?: { cert: string; key: string };
}

/**
 * A TLS handshake that did not complete; `helloSent` tells a server's refusal from a local failure,
 * and `answer` (when the hello was sent) what the server sent back: whether it speaks TLS at all.
 */
export class TlsHandshakeError extends Error {
  constructor(
    readonly code: string,
    readonly helloSent: boolean,
    message: string,
    readonly answer?: ServerAnswer,
  ) {
    super(message);
    this.name = 'TlsHandshakeError';
  }
}

const LEGACY = new Set<tls.SecureVersion>(['TLSv1', 'TLSv1.1']);

/** Opens TCP, runs the TLS handshake and returns the connection; records both in the transcript. */
export async function connectTls(name: string, endpoint: Endpoint, options: TlsClientOptions, transcript: Transcript, deadline: number): Promise<TcpConnection> {
  const raw = await openTcp(name, endpoint, transcript, deadline);
  let handshakeDone = false;
  const afterHandshake: RecordsSeen = { count: 0 };
  const answer = new ServerAnswer(raw);
  const tap = new RecordTap(raw, (record) => {
    if (!handshakeDone) {
      if (record.type === RECORD_TYPE.alert) answer.alerted = true;
      return;
    }
    afterHandshake.count++;
    afterHandshake.last = record;
    if (record.type === RECORD_TYPE.alert) transcript.record(name, 'note', `TLS alert record received${record.alert ? ` (${describeAlert(record.alert)})` : ''}`);
    if (record.unopened) transcript.record(name, 'note', 'a TLS 1.3 record could not be opened with the logged keys');
  });
  let socket: tls.TLSSocket;
  try {
    socket = tls.connect({
      socket: tap,
      servername: net.isIP(options.servername) ? undefined : options.servername,
      ca: options.ca,
      rejectUnauthorized: options.verify,
      checkServerIdentity: (_host, cert) => tls.checkServerIdentity(options.servername, cert),
      minVersion: options.minVersion,
      maxVersion: options.maxVersion,
      ciphers: legacyCiphers(options),
      ALPNProtocols: options.alpn,
      cert: options.clientCert?.cert,
      key: options.clientCert?.key,
    });
  } catch (err) {
    // OpenSSL refused the options themselves (e.g. no cipher matches): nothing reached the server.
    raw.destroy();
    const e = err as NodeJS.ErrnoException;
    throw new TlsHandshakeError(e.code ?? 'ERROR', false, e.message);
  }
  socket.on('keylog', (line: Buffer) => {
    tap.keylog(line);
    logKey(transcript, line);
  });
  await handshake(socket, raw, answer, name, transcript, deadline);
  handshakeDone = true;
  const session = { ...sessionOf(socket), recordsAfterHandshake: afterHandshake };
  transcript.record(name, 'note', `TLS handshake: ${describeSession(session)}`);
  return new TcpConnection(name, socket, transcript, () => tap.reset(), session, raw);
}

/**
 * Old protocol versions and weak suites sit below OpenSSL's default security level; without
 * lowering it the client would never offer them, and a "TLS 1.0 is refused" case would pass
 * without testing anything.
 */
function legacyCiphers(options: TlsClientOptions): string | undefined {
  const legacy = (options.maxVersion && LEGACY.has(options.maxVersion)) || options.ciphers !== undefined;
  if (!legacy) return undefined;
  return `${options.ciphers ?? 'DEFAULT'}:@SECLEVEL=0`;
}

function handshake(socket: tls.TLSSocket, raw: net.Socket, answer: ServerAnswer, name: string, transcript: Transcript, deadline: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const wait = Math.max(0, deadline - Date.now());
    let settled = false;
    const fail = (code: string, message: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      transcript.record(name, 'connect-failed', `TLS handshake: ${code}`);
      reject(new TlsHandshakeError(code, raw.bytesWritten > 0, message, answer));
    };
    const timer = setTimeout(() => fail('ETIMEDOUT', `no TLS handshake within ${wait} ms`), wait);
    socket.once('error', (err: NodeJS.ErrnoException) => fail(err.code ?? 'ERROR', err.message));
    socket.once('close', () => fail('ECLOSED', 'the server closed the connection during the handshake'));
    socket.once('secureConnect', () => {
      settled = true;
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.removeAllListeners('close');
      resolve();
    });
  });
}

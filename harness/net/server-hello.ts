import { RECORD_TYPE } from './record-types';
import type { Alert } from './tls-alerts';

/** Handshake message type of ServerHello (RFC 8446 §4). */
export const SERVER_HELLO = 2;
/** Handshake message type of ClientHello: only ever sent by a client, so from a server it is our own echoed back. */
const CLIENT_HELLO = 1;

/** A ServerHello with this random is a HelloRetryRequest (RFC 8446 §4.1.3); another ServerHello follows. */
const HELLO_RETRY_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');

export interface ServerHello {
  /** The cipher suite the server selected, by IANA code point. */
  suite: number;
  retryRequest: boolean;
}

/**
 * The cipher suite a ServerHello selects, from a handshake message that starts at `message[0]`
 * (RFC 5246 §7.4.1.3, RFC 8446 §4.1.3: type, length, legacy_version, random, session id, suite).
 * Undefined when the message is not a (complete enough) ServerHello.
 */
export function parseServerHello(message: Buffer): ServerHello | undefined {
  if (message.length < 4 + 2 + 32 + 1 || message[0] !== SERVER_HELLO) return undefined;
  const random = message.subarray(6, 38);
  const suiteAt = 38 + 1 + message[38];
  if (message.length < suiteAt + 2) return undefined;
  return { suite: message.readUInt16BE(suiteAt), retryRequest: random.equals(HELLO_RETRY_RANDOM) };
}

/** What a server answered to a ClientHello, read from the start of its reply. */
export type HelloReply =
  | { kind: 'server-hello'; suite: number }
  | { kind: 'alert'; alert: Alert }
  | { kind: 'not-tls'; detail: string };

const RECORD_HEADER = 5;

/**
 * Reads a server's first record (RFC 5246 §6.2.1): a handshake record starting with ServerHello,
 * or a plaintext alert. Undefined while more bytes are needed; a reply that is neither says so.
 */
export function readHelloReply(received: Buffer): HelloReply | undefined {
  if (received.length < RECORD_HEADER) return undefined;
  const [type, major] = received;
  if ((type !== RECORD_TYPE.alert && type !== RECORD_TYPE.handshake) || major !== 3) {
    return { kind: 'not-tls', detail: `the reply does not start with a TLS handshake or alert record (first bytes ${received.subarray(0, RECORD_HEADER).toString('hex')})` };
  }
  const body = received.subarray(RECORD_HEADER, RECORD_HEADER + received.readUInt16BE(3));
  if (type === RECORD_TYPE.alert) return body.length < 2 ? undefined : { kind: 'alert', alert: { level: body[0], description: body[1] } };
  if (body[0] === CLIENT_HELLO) return { kind: 'not-tls', detail: 'the reply is a ClientHello (handshake message type 1), as when a server echoes the bytes it receives' };
  if (body[0] !== undefined && body[0] !== SERVER_HELLO) return { kind: 'not-tls', detail: `the first handshake message is of type ${body[0]}, not ServerHello` };
  const hello = parseServerHello(body);
  if (hello) return { kind: 'server-hello', suite: hello.suite };
  return body.length < received.readUInt16BE(3) ? undefined : { kind: 'not-tls', detail: 'the ServerHello is cut short' };
}

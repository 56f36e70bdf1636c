/** Handshake message type of ServerHello (RFC 8446 §4). */
export const SERVER_HELLO = 2;

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

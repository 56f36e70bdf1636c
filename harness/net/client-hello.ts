import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { RECORD_TYPE } from './record-types';

/**
 * TLS 1.2 cipher suites a hand-written ClientHello may offer, by IANA name (the TLS Cipher Suites
 * registry) and code point. The weak ones are here because no TLS stack on a current system can
 * still offer them, yet whether a server would select them is visible in its ServerHello alone.
 */
export const CIPHER_SUITES = {
  // RC4 (RFC 7465 prohibits them)
  TLS_RSA_WITH_RC4_128_MD5: 0x0004,
  TLS_RSA_WITH_RC4_128_SHA: 0x0005,
  TLS_ECDHE_ECDSA_WITH_RC4_128_SHA: 0xc007,
  TLS_ECDHE_RSA_WITH_RC4_128_SHA: 0xc011,
  // EXPORT: 40-bit keys
  TLS_RSA_EXPORT_WITH_RC4_40_MD5: 0x0003,
  TLS_RSA_EXPORT_WITH_RC2_CBC_40_MD5: 0x0006,
  TLS_RSA_EXPORT_WITH_DES40_CBC_SHA: 0x0008,
  TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA: 0x0014,
  // single DES: 56-bit keys
  TLS_RSA_WITH_DES_CBC_SHA: 0x0009,
  TLS_DHE_RSA_WITH_DES_CBC_SHA: 0x0015,
  // NULL: no encryption
  TLS_RSA_WITH_NULL_SHA: 0x0002,
  TLS_RSA_WITH_NULL_SHA256: 0x003b,
  TLS_ECDHE_RSA_WITH_NULL_SHA: 0xc010,
  // strong: forward-secret AEAD
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 0xc02b,
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 0xc02c,
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 0xc02f,
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 0xc030,
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 0xcca8,
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 0xcca9,
} as const;

export type CipherSuiteName = keyof typeof CIPHER_SUITES;
export const CIPHER_SUITE_NAMES = Object.keys(CIPHER_SUITES) as CipherSuiteName[];

/** The IANA name of a code point, or its hex when it is not in the table. */
export function suiteName(code: number): string {
  return CIPHER_SUITE_NAMES.find((name) => CIPHER_SUITES[name] === code) ?? `0x${code.toString(16).padStart(4, '0')}`;
}

const CLIENT_HELLO = 1;
const TLS12 = 0x0303;
/** Record-layer version of a first ClientHello: TLS 1.0, as clients send it for compatibility (RFC 5246 §E.1). */
const TLS10 = 0x0301;

const EXTENSION = { serverName: 0x0000, supportedGroups: 0x000a, ecPointFormats: 0x000b, signatureAlgorithms: 0x000d, extendedMasterSecret: 0x0017, renegotiationInfo: 0xff01 };
/** x25519, secp256r1, secp384r1 (RFC 8422 §5.1.1, RFC 7748). */
const GROUPS = [0x001d, 0x0017, 0x0018];
/** RSA-PSS, RSA PKCS#1 and ECDSA with SHA-256/384/512 (RFC 8446 §4.2.3; TLS 1.2 servers read the same code points). */
const SIGNATURE_ALGORITHMS = [0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0403, 0x0503, 0x0603];

/**
 * A TLS 1.2 ClientHello record (RFC 5246 §7.4.1.2) offering `suites` in this order, with the
 * extensions a current server needs before it answers: SNI (for a host name), the groups and
 * point formats of ECDHE (RFC 8422), signature_algorithms (RFC 5246 §7.4.1.4.1),
 * extended_master_secret (RFC 7627) and renegotiation_info (RFC 5746). No supported_versions, so
 * TLS 1.2 is the highest version offered.
 */
export function clientHelloRecord(suites: readonly number[], servername?: string): Buffer {
  const extensions = [
    ...(servername && !net.isIP(servername) ? [extension(EXTENSION.serverName, vector(2, Buffer.concat([Buffer.from([0]), vector(2, Buffer.from(servername, 'ascii'))])))] : []),
    extension(EXTENSION.supportedGroups, vector(2, uint16s(GROUPS))),
    extension(EXTENSION.ecPointFormats, vector(1, Buffer.from([0]))),
    extension(EXTENSION.signatureAlgorithms, vector(2, uint16s(SIGNATURE_ALGORITHMS))),
    extension(EXTENSION.extendedMasterSecret, Buffer.alloc(0)),
    extension(EXTENSION.renegotiationInfo, vector(1, Buffer.alloc(0))),
  ];
  const body = Buffer.concat([
    uint16s([TLS12]),
    randomBytes(32),
    vector(1, Buffer.alloc(0)), // no session to resume
    vector(2, uint16s(suites)),
    vector(1, Buffer.from([0])), // compression: null only
    vector(2, Buffer.concat(extensions)),
  ]);
  const message = Buffer.concat([Buffer.from([CLIENT_HELLO]), uint24(body.length), body]);
  return Buffer.concat([Buffer.from([RECORD_TYPE.handshake]), uint16s([TLS10]), uint16s([message.length]), message]);
}

/**
 * The cipher suites a ClientHello offers, in order, from a handshake message starting at
 * `message[0]`; undefined when it is not a whole ClientHello up to its suites.
 */
export function offeredSuites(message: Buffer): number[] | undefined {
  if (message.length < 4 + 2 + 32 + 1 || message[0] !== CLIENT_HELLO) return undefined;
  const suitesAt = 38 + 1 + message[38];
  if (message.length < suitesAt + 2) return undefined;
  const length = message.readUInt16BE(suitesAt);
  if (length % 2 !== 0 || message.length < suitesAt + 2 + length) return undefined;
  return Array.from({ length: length / 2 }, (_, i) => message.readUInt16BE(suitesAt + 2 + 2 * i));
}

function extension(type: number, data: Buffer): Buffer {
  return Buffer.concat([uint16s([type]), vector(2, data)]);
}

/** A TLS vector: its length in `lengthBytes` bytes, then its bytes. */
export function vector(lengthBytes: 1 | 2 | 3, data: Buffer): Buffer {
  const length = Buffer.alloc(lengthBytes);
  length.writeUIntBE(data.length, 0, lengthBytes);
  return Buffer.concat([length, data]);
}

export function uint16s(values: readonly number[]): Buffer {
  const out = Buffer.alloc(2 * values.length);
  values.forEach((v, i) => out.writeUInt16BE(v, 2 * i));
  return out;
}

export function uint24(value: number): Buffer {
  const out = Buffer.alloc(3);
  out.writeUIntBE(value, 0, 3);
  return out;
}

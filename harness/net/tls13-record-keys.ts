import { type CipherChaCha20Poly1305Types, type CipherGCMTypes, createDecipheriv, createHmac } from 'node:crypto';

/** The AEAD and hash of each TLS 1.3 cipher suite (RFC 8446 §B.4), by its IANA code point. */
const SUITES: ReadonlyMap<number, { cipher: 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305'; keyLength: number; hash: string }> = new Map([
  [0x1301, { cipher: 'aes-128-gcm', keyLength: 16, hash: 'sha256' }],
  [0x1302, { cipher: 'aes-256-gcm', keyLength: 32, hash: 'sha384' }],
  [0x1303, { cipher: 'chacha20-poly1305', keyLength: 32, hash: 'sha256' }],
] as const);

const IV_LENGTH = 12;
const TAG_LENGTH = 16;

export function isTls13Suite(code: number): boolean {
  return SUITES.has(code);
}

/** A decrypted record: its real content type and content, the padding taken off (RFC 8446 §5.2). */
export interface InnerRecord {
  type: number;
  content: Buffer;
}

/**
 * One direction's record protection under one traffic secret (RFC 8446 §7.3): the key and IV
 * derived from the secret, and the sequence number of the next record, which starts at 0 for
 * every new key.
 */
export class TrafficKey {
  private readonly key: Buffer;
  private readonly iv: Buffer;
  private sequence = 0n;

  constructor(
    private readonly suite: number,
    secret: Buffer,
  ) {
    const params = SUITES.get(suite);
    if (!params) throw new Error(`0x${suite.toString(16)} is not a TLS 1.3 cipher suite`);
    this.key = hkdfExpandLabel(params.hash, secret, 'key', params.keyLength);
    this.iv = hkdfExpandLabel(params.hash, secret, 'iv', IV_LENGTH);
  }

  /**
   * Opens the next record (header: its 5 bytes, the AAD; body: ciphertext and tag). Undefined when
   * the tag does not verify: the record is not protected with this key, and the sequence number
   * stays where it was.
   */
  open(header: Buffer, body: Buffer): InnerRecord | undefined {
    if (body.length < TAG_LENGTH) return undefined;
    const params = SUITES.get(this.suite)!;
    const decipher = aeadDecipher(params.cipher, this.key, this.nonce());
    decipher.setAAD(header, { plaintextLength: body.length - TAG_LENGTH });
    decipher.setAuthTag(body.subarray(body.length - TAG_LENGTH));
    let plain: Buffer;
    try {
      plain = Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_LENGTH)), decipher.final()]);
    } catch {
      return undefined;
    }
    this.sequence += 1n;
    let end = plain.length - 1;
    while (end >= 0 && plain[end] === 0) end--;
    // All zeros: no content type at all, which RFC 8446 §5.4 makes an unexpected_message.
    return end < 0 ? { type: 0, content: Buffer.alloc(0) } : { type: plain[end], content: plain.subarray(0, end) };
  }

  /** The per-record nonce: the IV XOR the 64-bit sequence number, left-padded to the IV's length (§5.3). */
  private nonce(): Buffer {
    const nonce = Buffer.from(this.iv);
    const seq = Buffer.alloc(8);
    seq.writeBigUInt64BE(this.sequence);
    for (let i = 0; i < 8; i++) nonce[IV_LENGTH - 8 + i] ^= seq[i];
    return nonce;
  }
}

/** The two branches are the same call: @types/node has one overload per AEAD family, none for their union. */
function aeadDecipher(cipher: CipherGCMTypes | CipherChaCha20Poly1305Types, key: Buffer, nonce: Buffer) {
  return cipher === 'chacha20-poly1305'
    ? createDecipheriv(cipher, key, nonce, { authTagLength: TAG_LENGTH })
    : createDecipheriv(cipher, key, nonce, { authTagLength: TAG_LENGTH });
}

/** HKDF-Expand-Label(secret, label, "", length), RFC 8446 §7.1, with HKDF-Expand of RFC 5869 §2.3. */
export function hkdfExpandLabel(hash: string, secret: Buffer, label: string, length: number): Buffer {
  const fullLabel = Buffer.from(`tls13 ${label}`, 'ascii');
  const info = Buffer.concat([Buffer.from([length >> 8, length & 0xff, fullLabel.length]), fullLabel, Buffer.from([0])]);
  const blocks: Buffer[] = [];
  let previous = Buffer.alloc(0);
  for (let i = 1; Buffer.concat(blocks).length < length; i++) {
    previous = createHmac(hash, secret).update(Buffer.concat([previous, info, Buffer.from([i])])).digest();
    blocks.push(previous);
  }
  return Buffer.concat(blocks).subarray(0, length);
}

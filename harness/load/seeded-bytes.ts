import { createCipheriv, createHash } from 'node:crypto';
import type { PayloadStream } from '../net/payload';

/**
 * Seeded random bytes without end (AES-256-CTR keystream of the seed's SHA-256): what a
 * throughput stream sends, regenerated on the other side of the echo to check every byte.
 */
export function seededBytes(seed: string): PayloadStream {
  const cipher = createCipheriv('aes-256-ctr', createHash('sha256').update(seed).digest(), Buffer.alloc(16));
  return { read: (n) => cipher.update(Buffer.alloc(n)) };
}

/**
 * Bytes a connection sends or compares against, read in chunks so that a large one (a seeded
 * random payload of 256 MiB) is never held whole. The payloads a suite writes are built in
 * steps/support/payload.ts.
 */
export interface PayloadStream {
  /** Up to `n` next bytes; an empty buffer at the end. */
  read(n: number): Buffer;
}

export interface Payload {
  readonly length: number;
  /** How a failure message names it, e.g. `random 1025 B (seed "size-1025")`. */
  readonly label: string;
  open(): PayloadStream;
}

export function fixed(bytes: Buffer, label: string): Payload {
  return {
    length: bytes.length,
    label,
    open() {
      let offset = 0;
      return {
        read(n) {
          const chunk = bytes.subarray(offset, offset + n);
          offset += chunk.length;
          return chunk;
        },
      };
    },
  };
}

/** Several payloads read back to back, as the peer of an echo sees them. */
/** How many parts a concatenation's label names; past that it names the first ones and counts the rest. */
const LABELLED_PARTS = 4;

export function concatenated(parts: readonly Payload[]): Payload {
  const named = parts.slice(0, LABELLED_PARTS).map((p) => p.label);
  if (parts.length > LABELLED_PARTS) named.push(`and ${parts.length - LABELLED_PARTS} more`);
  return {
    length: parts.reduce((sum, p) => sum + p.length, 0),
    label: parts.length === 1 ? parts[0].label : `${parts.length} payloads sent (${named.join(', ')})`,
    open() {
      let index = 0;
      let stream = parts[0]?.open();
      return {
        read(n) {
          while (stream) {
            const chunk = stream.read(n);
            if (chunk.length > 0) return chunk;
            index++;
            stream = parts[index]?.open();
          }
          return Buffer.alloc(0);
        },
      };
    },
  };
}

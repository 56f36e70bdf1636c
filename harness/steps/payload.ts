import { createCipheriv, createHash } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import { Size, toBytes } from '../suite/units';

/**
 * The bytes a step sends or expects. Exactly one form is given; `repeat` multiplies it. Random
 * payloads are generated lazily from a seeded keystream, so a 256 MiB payload costs no memory and
 * the expecting side can regenerate the same bytes to compare against.
 */
export const PayloadFields = {
  text: Type.Optional(Type.String({ description: 'UTF-8 text' })),
  hex: Type.Optional(Type.String({ pattern: '^([0-9a-fA-F]{2}[ :]?)*$', description: 'bytes in hex, spaces allowed' })),
  base64: Type.Optional(Type.String({ description: 'bytes in base64' })),
  random: Type.Optional(
    Type.Object(
      {
        bytes: Size,
        seed: Type.Optional(Type.String({ description: 'defaults to one derived from the case, client and step' })),
      },
      { additionalProperties: false },
    ),
  ),
  /** N bytes where byte i is i mod 256: every byte value, in order. */
  counter: Type.Optional(Size),
  repeat: Type.Optional(Type.Integer({ minimum: 1, description: 'send the payload this many times' })),
};

export const PAYLOAD_FORMS = ['text', 'hex', 'base64', 'random', 'counter'] as const;

const PayloadObject = Type.Object(PayloadFields);
export type PayloadSpec = Static<typeof PayloadObject>;

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

export function buildPayload(spec: PayloadSpec, defaultSeed: string): Payload {
  const single = buildSingle(spec, defaultSeed);
  const times = spec.repeat ?? 1;
  return times === 1 ? single : repeated(single, times);
}

function buildSingle(spec: PayloadSpec, defaultSeed: string): Payload {
  if (spec.text !== undefined) return fixed(Buffer.from(spec.text, 'utf8'), `text ${JSON.stringify(clip(spec.text))}`);
  if (spec.hex !== undefined) return fixed(Buffer.from(spec.hex.replace(/[ :]/g, ''), 'hex'), `hex ${clip(spec.hex)}`);
  if (spec.base64 !== undefined) return fixed(Buffer.from(spec.base64, 'base64'), `base64 ${clip(spec.base64)}`);
  if (spec.random !== undefined) return randomPayload(toBytes(spec.random.bytes), spec.random.seed ?? defaultSeed);
  if (spec.counter !== undefined) return counterPayload(toBytes(spec.counter));
  throw new Error('payload has no form'); // the schema rules this out
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
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

function randomPayload(length: number, seed: string): Payload {
  const key = createHash('sha256').update(seed).digest();
  return {
    length,
    label: `random ${length} B (seed ${JSON.stringify(seed)})`,
    open() {
      const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
      let remaining = length;
      return {
        read(n) {
          const size = Math.min(n, remaining);
          remaining -= size;
          return size === 0 ? Buffer.alloc(0) : cipher.update(Buffer.alloc(size));
        },
      };
    },
  };
}

function counterPayload(length: number): Payload {
  const cycle = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
  return {
    length,
    label: `counter ${length} B (byte i = i mod 256)`,
    open() {
      let offset = 0;
      return {
        read(n) {
          const size = Math.min(n, length - offset);
          const chunk = Buffer.allocUnsafe(size);
          for (let i = 0; i < size; i++) chunk[i] = cycle[(offset + i) & 0xff];
          offset += size;
          return chunk;
        },
      };
    },
  };
}

function repeated(single: Payload, times: number): Payload {
  return {
    length: single.length * times,
    label: `${single.label} x ${times}`,
    open() {
      let round = 0;
      let stream = single.open();
      return {
        read(n) {
          while (round < times) {
            const chunk = stream.read(n);
            if (chunk.length > 0) return chunk;
            round++;
            stream = single.open();
          }
          return Buffer.alloc(0);
        },
      };
    },
  };
}

/** Several payloads read back to back, as the peer of an echo sees them. */
export function concatenated(parts: readonly Payload[]): Payload {
  return {
    length: parts.reduce((sum, p) => sum + p.length, 0),
    label: parts.length === 1 ? parts[0].label : `${parts.length} payloads sent (${parts.map((p) => p.label).join(', ')})`,
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

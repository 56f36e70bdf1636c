import { createCipheriv, createHash } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import { Size, toBytes } from '../../vocabulary/units';
import { fixed, type Payload } from '../../net/payload';

/**
 * Base64 as RFC 4648 writes it: groups of 4, the last padded with =. Buffer.from(…, 'base64') skips
 * whatever is not base64, so anything else would decode to fewer bytes than meant, or none.
 */
const BASE64_PATTERN = '^(\\s*[A-Za-z0-9+/]{4})*(\\s*[A-Za-z0-9+/]{2}==|\\s*[A-Za-z0-9+/]{3}=)?\\s*$';

/**
 * The bytes a step sends or expects. Exactly one form is given; `repeat` multiplies it. Random
 * payloads are generated lazily from a seeded keystream, so a 256 MiB payload costs no memory and
 * the expecting side can regenerate the same bytes to compare against.
 */
export const PayloadFields = {
  text: Type.Optional(Type.String({ description: 'UTF-8 text' })),
  hex: Type.Optional(Type.String({ pattern: '^([0-9a-fA-F]{2}[ :]?)*$', title: 'hex text (two digits a byte, spaces or colons allowed between)', description: 'bytes in hex, spaces allowed' })),
  base64: Type.Optional(Type.String({ pattern: BASE64_PATTERN, title: 'base64 text (A-Z, a-z, 0-9, + and /, padded with =)', description: 'bytes in base64 (standard alphabet, padded; spaces and line breaks allowed between groups of 4)' })),
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

/**
 * Bytes every random payload holds whatever its seed, because they are the ones servers mangle: a
 * byte that is never UTF-8, NUL (C strings), CR LF, a bare CR and a bare LF (text-mode newline
 * translation), a broken and a whole multi-byte UTF-8 sequence. In this order: a payload too short
 * for all holds the first that fit, and the shortest one byte is never valid UTF-8 text.
 */
export const ALWAYS_IN_RANDOM = [
  { name: 'a byte never valid in UTF-8', bytes: [0xff] },
  { name: 'NUL', bytes: [0x00] },
  { name: 'CR LF', bytes: [0x0d, 0x0a] },
  { name: 'a bare CR', bytes: [0x0d, 0x41] },
  { name: 'a bare LF', bytes: [0x41, 0x0a] },
  { name: 'a truncated UTF-8 sequence', bytes: [0xe2, 0x82, 0x41] },
  { name: 'a 3-byte UTF-8 character', bytes: [0xe2, 0x82, 0xac] },
] as const;

/**
 * A 4-byte UTF-8 character (U+1F600) straddles every multiple of this many bytes, the sizes of
 * read buffers (1024, 4096, 65536...), so a server decoding each read as text splits one.
 */
export const SPLIT_CHARACTER_EVERY = 1024;
const SPLIT_CHARACTER = Buffer.from([0xf0, 0x9f, 0x98, 0x80]);
/** The character's bytes before the boundary. */
const SPLIT_AT = 2;

/**
 * Seeded random bytes (AES-256-CTR keystream), with the bytes of ALWAYS_IN_RANDOM written in at
 * positions drawn from the same seed (one in each equal share of the payload) and SPLIT_CHARACTER
 * across each SPLIT_CHARACTER_EVERY boundary. A bug in how a server treats such bytes therefore
 * fails a case under every run seed, not only under the seeds whose keystream happens to hold them.
 */
function randomPayload(length: number, seed: string): Payload {
  const key = createHash('sha256').update(seed).digest();
  const planted = plantedBytes(length, key);
  return {
    length,
    label: `random ${length} B (seed ${JSON.stringify(seed)})`,
    open() {
      const cipher = createCipheriv('aes-256-ctr', key, Buffer.alloc(16));
      let offset = 0;
      let next = 0;
      return {
        read(n) {
          const size = Math.min(n, length - offset);
          if (size === 0) return Buffer.alloc(0);
          const chunk = cipher.update(Buffer.alloc(size));
          while (next < planted.length && planted[next].at < offset + size) {
            chunk[planted[next].at - offset] = planted[next].byte;
            next++;
          }
          plantSplitCharacters(chunk, offset);
          offset += size;
          return chunk;
        },
      };
    },
  };
}

/** Payloads at least this long have the ALWAYS_IN_RANDOM bytes scattered; shorter ones, at the start. */
export const SCATTERED_FROM = 128;

/** Where each byte of ALWAYS_IN_RANDOM goes in a payload of `length` bytes, in ascending order. */
function plantedBytes(length: number, key: Buffer): { at: number; byte: number }[] {
  const units = ALWAYS_IN_RANDOM.map((u) => u.bytes);
  const placed: { at: number; byte: number }[] = [];
  if (length < SCATTERED_FROM) {
    // Too short to scatter: the units that fit, back to back from the start.
    let at = 0;
    for (const unit of units) {
      if (at + unit.length > length) break;
      for (const byte of unit) placed.push({ at: at++, byte });
    }
    return placed;
  }
  // One unit in each equal share, at a seeded offset; one that would overlap a split character
  // moves past it, and the offset leaves room at the share's end for that move.
  const positions = createCipheriv('aes-256-ctr', key, Buffer.alloc(16, 0xff)).update(Buffer.alloc(4 * units.length));
  const share = Math.floor(length / units.length);
  units.forEach((unit, i) => {
    let at = i * share + (positions.readUInt32BE(4 * i) % (share - 2 * unit.length - SPLIT_CHARACTER.length));
    const inCharacter = (at + unit.length - 1 + SPLIT_AT) % SPLIT_CHARACTER_EVERY;
    if (at + unit.length - 1 + SPLIT_AT >= SPLIT_CHARACTER_EVERY && inCharacter < SPLIT_CHARACTER.length + unit.length - 1) {
      at += SPLIT_CHARACTER.length + unit.length - 1 - inCharacter;
    }
    for (const byte of unit) placed.push({ at: at++, byte });
  });
  return placed;
}

/** Writes the parts of split characters that fall in `chunk`, which starts at payload offset `offset`. */
function plantSplitCharacters(chunk: Buffer, offset: number): void {
  const first = Math.max(1, Math.ceil((offset - SPLIT_CHARACTER.length + SPLIT_AT + 1) / SPLIT_CHARACTER_EVERY));
  for (let boundary = first * SPLIT_CHARACTER_EVERY; boundary - SPLIT_AT < offset + chunk.length; boundary += SPLIT_CHARACTER_EVERY) {
    for (let i = 0; i < SPLIT_CHARACTER.length; i++) {
      const at = boundary - SPLIT_AT + i - offset;
      if (at >= 0 && at < chunk.length) chunk[at] = SPLIT_CHARACTER[i];
    }
  }
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

/**
 * UTF-8 decoding that keeps track of bytes, for regexes over received data: Buffer.toString turns
 * each invalid sequence into U+FFFD (3 bytes once re-encoded, whatever it replaced) and a character
 * cut off by the end of a read into U+FFFD too, so the byte length of a match cannot be recovered
 * from the text. Invalid input is replaced as the WHATWG decoder (and so Node) does: one U+FFFD per
 * maximal subpart of an ill-formed sequence.
 */
export interface DecodedText {
  readonly text: string;
  /** Byte ranges [start, end) that are not UTF-8, merged where adjacent. */
  readonly invalid: readonly (readonly [number, number])[];
  /** The byte offset at which the UTF-16 index `index` of `text` starts; `text.length` gives the bytes decoded. */
  byteOffset(index: number): number;
}

const REPLACEMENT = 0xfffd;

/**
 * Decodes `bytes`. Unless `final`, a character whose first bytes end the input is left out (its
 * other bytes may still arrive); when final, it is invalid.
 */
export function decodeUtf8(bytes: Uint8Array, final: boolean): DecodedText {
  const units: number[] = [];
  const starts: number[] = [];
  const invalid: [number, number][] = [];
  let at = 0;
  while (at < bytes.length) {
    const char = nextChar(bytes, at);
    if (char.truncated && !final) break;
    const codePoint = char.codePoint ?? REPLACEMENT;
    if (char.codePoint === undefined) addRange(invalid, at, at + char.length);
    if (codePoint > 0xffff) {
      units.push(0xd800 + ((codePoint - 0x10000) >> 10), 0xdc00 + ((codePoint - 0x10000) & 0x3ff));
      starts.push(at, at);
    } else {
      units.push(codePoint);
      starts.push(at);
    }
    at += char.length;
  }
  starts.push(at);
  return { text: fromUnits(units), invalid, byteOffset: (index) => starts[index] };
}

/** "3-4, 9": the byte offsets of ranges, shortened after `shown` ranges. */
export function describeRanges(ranges: readonly (readonly [number, number])[], shown = 10): string {
  const parts = ranges.slice(0, shown).map(([start, end]) => (end - start === 1 ? `${start}` : `${start}-${end - 1}`));
  return parts.join(', ') + (ranges.length > shown ? ', ...' : '');
}

interface Char {
  /** Undefined for an ill-formed sequence of `length` bytes. */
  codePoint?: number;
  length: number;
  /** The input ended inside a sequence that was well-formed so far. */
  truncated?: boolean;
}

/** The range of a lead byte's first continuation byte (narrower for E0, ED, F0, F4: no overlongs, surrogates or > U+10FFFF). */
function leadShape(lead: number): { continuations: number; bits: number; lower: number; upper: number } | undefined {
  if (lead >= 0xc2 && lead <= 0xdf) return { continuations: 1, bits: lead & 0x1f, lower: 0x80, upper: 0xbf };
  if (lead >= 0xe0 && lead <= 0xef) return { continuations: 2, bits: lead & 0x0f, lower: lead === 0xe0 ? 0xa0 : 0x80, upper: lead === 0xed ? 0x9f : 0xbf };
  if (lead >= 0xf0 && lead <= 0xf4) return { continuations: 3, bits: lead & 0x07, lower: lead === 0xf0 ? 0x90 : 0x80, upper: lead === 0xf4 ? 0x8f : 0xbf };
  return undefined;
}

function nextChar(bytes: Uint8Array, at: number): Char {
  const lead = bytes[at];
  if (lead < 0x80) return { codePoint: lead, length: 1 };
  const shape = leadShape(lead);
  if (!shape) return { length: 1 };
  let { bits: codePoint, lower, upper } = shape;
  for (let k = 1; k <= shape.continuations; k++) {
    if (at + k >= bytes.length) return { length: k, truncated: true };
    const byte = bytes[at + k];
    // The offending byte is not part of the ill-formed sequence: it starts the next character.
    if (byte < lower || byte > upper) return { length: k };
    codePoint = (codePoint << 6) | (byte & 0x3f);
    lower = 0x80;
    upper = 0xbf;
  }
  return { codePoint, length: shape.continuations + 1 };
}

function addRange(ranges: [number, number][], start: number, end: number): void {
  const last = ranges[ranges.length - 1];
  if (last && last[1] === start) last[1] = end;
  else ranges.push([start, end]);
}

/** String.fromCharCode takes its arguments on the stack: build long texts in slices. */
function fromUnits(units: number[]): string {
  const SLICE = 8192;
  let text = '';
  for (let i = 0; i < units.length; i += SLICE) text += String.fromCharCode(...units.slice(i, i + SLICE));
  return text;
}

/** Renders bytes for failure messages: hex with a printable-text column, around a given offset. */
const ROW = 16;

export function printable(bytes: Buffer): string {
  let out = '';
  for (const b of bytes) out += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
  return out;
}

export function hex(bytes: Buffer): string {
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** One hex-dump row of `bytes`, labelled with the absolute offset of its first byte. */
export function dumpRow(label: string, offset: number, bytes: Buffer): string {
  const hexPart = hex(bytes).padEnd(ROW * 3 - 1);
  return `${label} @${offset}: ${hexPart}  |${printable(bytes)}|`;
}

/** Up to `rows` hex-dump rows, each prefixed with `label`, starting at absolute `offset`. */
export function dump(label: string, offset: number, bytes: Buffer, rows = 4): string[] {
  const lines: string[] = [];
  for (let i = 0; i < bytes.length && lines.length < rows; i += ROW) {
    lines.push(dumpRow(label, offset + i, bytes.subarray(i, i + ROW)));
  }
  if (bytes.length > rows * ROW) lines.push(`${' '.repeat(label.length)}   ... ${bytes.length - rows * ROW} more bytes`);
  if (bytes.length === 0) lines.push(`${label}: (nothing)`);
  return lines;
}

/** Index of the first differing byte in the common prefix, or -1 when one is a prefix of the other. */
export function firstDifference(a: Buffer, b: Buffer): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** Start of the row-aligned window that shows `offset` with a row of context before it. */
export function windowStart(offset: number): number {
  return Math.max(0, offset - (offset % ROW) - ROW);
}

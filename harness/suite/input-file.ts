import { closeSync, fstatSync, openSync, readSync, constants, type Stats } from 'node:fs';
import { isUtf8 } from 'node:buffer';

/** The largest suite, targets, config, profile or rules file sockspec reads; checked before parsing. */
export const MAX_INPUT_FILE_BYTES = 1024 * 1024;

/** Why a file cannot be read as text, and where (1-based), for a SuiteError. */
export interface Unreadable {
  line: number;
  column: number;
  rule: string;
}

/**
 * The text of a file sockspec reads its settings from, or why not: only a regular file, of at most
 * MAX_INPUT_FILE_BYTES, of UTF-8 text. Opened without blocking, so a FIFO or a device given by
 * mistake is named for what it is, not waited on or read forever; at most one byte past the limit
 * is read, so a huge file is refused at once.
 */
export function readInputText(file: string, kind: string): { text: string } | Unreadable {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    return atStart(`cannot read the ${kind}: ${(err as Error).message}`);
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return atStart(`cannot read the ${kind}: ${whatItIs(stats)}, not a file`);
    if (stats.size > MAX_INPUT_FILE_BYTES) return atStart(tooLarge(kind, stats.size));
    const bytes = readAtMost(fd, MAX_INPUT_FILE_BYTES + 1);
    if (bytes.length > MAX_INPUT_FILE_BYTES) return atStart(tooLarge(kind, bytes.length));
    const nul = bytes.indexOf(0);
    if (nul >= 0) return { ...positionOf(bytes, nul), rule: `a binary file (a NUL byte), not a ${kind}: a ${kind} is UTF-8 text` };
    if (!isUtf8(bytes)) return { ...positionOf(bytes, firstInvalidUtf8(bytes)), rule: `not UTF-8 text: a ${kind} is UTF-8 text` };
    return { text: bytes.toString('utf8') };
  } catch (err) {
    return atStart(`cannot read the ${kind}: ${(err as Error).message}`);
  } finally {
    closeSync(fd);
  }
}

/** What a path that is no regular file is, in words ("a directory"). */
export function whatItIs(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

function atStart(rule: string): Unreadable {
  return { line: 1, column: 1, rule };
}

function tooLarge(kind: string, size: number): string {
  return `too large: ${size > MAX_INPUT_FILE_BYTES + 1 ? `${size} bytes` : 'more than 1 MiB'}; a ${kind} is at most 1 MiB (${MAX_INPUT_FILE_BYTES} bytes)`;
}

function readAtMost(fd: number, limit: number): Buffer {
  const buffer = Buffer.alloc(limit);
  let length = 0;
  while (length < limit) {
    const n = readSync(fd, buffer, length, limit - length, null);
    if (n === 0) break;
    length += n;
  }
  return buffer.subarray(0, length);
}

/**
 * The offset of the first byte that is not valid UTF-8. Decoding puts U+FFFD for it; before it,
 * every character is its own bytes, so the offsets add up (a U+FFFD written in the file is EF BF BD).
 */
function firstInvalidUtf8(bytes: Buffer): number {
  let offset = 0;
  for (const character of bytes.toString('utf8')) {
    if (character === '\uFFFD' && !(bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd)) return offset;
    offset += Buffer.byteLength(character);
  }
  return offset;
}

/** Line and column (1-based, in characters) of a byte offset in text that is valid before it. */
function positionOf(bytes: Buffer, offset: number): { line: number; column: number } {
  const before = bytes.subarray(0, offset).toString('utf8');
  const lastNewline = before.lastIndexOf('\n');
  return { line: before.split('\n').length, column: [...before.slice(lastNewline + 1)].length + 1 };
}

import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** A line a server printed, with the time (Date.now()) its first byte arrived. */
export interface PrintedLine {
  text: string;
  at: number;
}

/**
 * What is kept of a server's output, whatever it prints (docs/ci.md): the timed lines of the whole
 * run, for the reports to give each failed case the lines of its own time window, up to these
 * bounds, the oldest lines dropped first; a longer line keeps its start.
 */
export const OUTPUT_BOUNDS = { lines: 20_000, chars: 4 * 1024 * 1024, lineChars: 2048 };

interface Line extends PrintedLine {
  /** Bytes past `OUTPUT_BOUNDS.lineChars` characters, not kept. */
  omitted: number;
}

/**
 * A line as sockspec keeps and shows it: its first OUTPUT_BOUNDS.lineChars characters, and how
 * many bytes were left out. For lines that come whole from elsewhere (a container's log); a line
 * OutputTail already capped is left as it is.
 */
export function capLine(text: string): string {
  const { lineChars } = OUTPUT_BOUNDS;
  if (text.length <= lineChars || OMITTED_MARK.test(text.slice(lineChars))) return text;
  return withOmitted(text.slice(0, lineChars), Buffer.byteLength(text) - Buffer.byteLength(text.slice(0, lineChars)));
}

const OMITTED_MARK = /^ \[… \d+ bytes omitted\]$/;

function withOmitted(text: string, omitted: number): string {
  return omitted ? `${text} [… ${omitted} bytes omitted]` : text;
}

/**
 * Keeps what a server printed (a process's stdout and stderr, a container's log), within
 * OUTPUT_BOUNDS: its last lines for error messages and for waiting on a ready line, and every
 * timed line kept for matching lines to the cases that ran when they were printed. A line still
 * being written counts too.
 */
export class OutputTail {
  private readonly kept: Line[] = [];
  /** Index of the oldest kept line: lines are dropped by moving it, and the array is compacted now and then. */
  private first = 0;
  private chars = 0;
  private partial: Line | undefined;
  private readonly lineListeners: ((line: PrintedLine) => void)[] = [];

  /** `limit`: how many of the last lines lines() gives. */
  constructor(private readonly limit = 50) {}

  /** Calls `listener` with each line as it is completed (as kept: capped at OUTPUT_BOUNDS.lineChars). */
  onLine(listener: (line: PrintedLine) => void): void {
    this.lineListeners.push(listener);
  }

  /** Resolves when the stream ends. */
  follow(stream: Readable): Promise<void> {
    // A character split across two chunks is decoded whole.
    const decoder = new StringDecoder('utf8');
    stream.on('data', (chunk: Buffer | string) => this.append(typeof chunk === 'string' ? chunk : decoder.write(chunk)));
    return new Promise((resolve) => stream.once('close', resolve).once('end', resolve));
  }

  /** The last `limit` lines. */
  lines(): string[] {
    return this.all(this.limit).map((line) => line.text);
  }

  /** Every line kept, each with the time it began. */
  printed(): PrintedLine[] {
    return this.all();
  }

  /** True once a line matching `pattern` has been printed (among the lines kept). */
  seen(pattern: RegExp): boolean {
    return this.all().some((line) => pattern.test(line.text));
  }

  /** The kept lines, or the last `count` of them, the line being written included. */
  private all(count = Infinity): PrintedLine[] {
    const lines = this.partial ? [...this.kept.slice(this.first), this.partial] : this.kept.slice(this.first);
    return lines.slice(Math.max(0, lines.length - count)).map(shown);
  }

  private append(text: string): void {
    const now = Date.now();
    text.split('\n').forEach((part, i) => {
      if (i > 0) this.endLine(now);
      if (part) this.extend(part, now);
    });
  }

  /** Adds to the line being written, up to the length kept of one line. */
  private extend(part: string, now: number): void {
    const line = (this.partial ??= { text: '', at: now, omitted: 0 });
    const room = Math.max(0, OUTPUT_BOUNDS.lineChars - line.text.length);
    line.text += part.slice(0, room);
    if (part.length > room) line.omitted += Buffer.byteLength(part) - Buffer.byteLength(part.slice(0, room));
  }

  private endLine(now: number): void {
    const line = this.partial ?? { text: '', at: now, omitted: 0 };
    this.partial = undefined;
    if (line.text.endsWith('\r')) line.text = line.text.slice(0, -1);
    this.kept.push(line);
    this.chars += line.text.length;
    for (const listener of this.lineListeners) listener(shown(line));
    while (this.kept.length - this.first > OUTPUT_BOUNDS.lines || this.chars > OUTPUT_BOUNDS.chars) {
      this.chars -= this.kept[this.first].text.length;
      this.first++;
    }
    if (this.first > 1024 && this.first * 2 > this.kept.length) {
      this.kept.splice(0, this.first);
      this.first = 0;
    }
  }
}

function shown({ text, at, omitted }: Line): PrintedLine {
  return { text: withOmitted(text, omitted), at };
}

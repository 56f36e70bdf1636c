import type { Readable } from 'node:stream';

/** A line a server printed, with the time (Date.now()) its first byte arrived. */
export interface PrintedLine {
  text: string;
  at: number;
}

/**
 * Keeps the last lines a server printed (a process's stdout and stderr, a container's log), for
 * error messages and for waiting on a ready line. A line still being written counts too.
 */
export class OutputTail {
  /** Timed, to match lines to the cases that ran when they were printed. */
  private readonly kept: PrintedLine[] = [];
  private partial: PrintedLine | undefined;

  constructor(private readonly limit = 50) {}

  /** Resolves when the stream ends. */
  follow(stream: Readable): Promise<void> {
    stream.on('data', (chunk: Buffer | string) => this.append(chunk.toString()));
    return new Promise((resolve) => stream.once('close', resolve).once('end', resolve));
  }

  lines(): string[] {
    return this.all().map((line) => line.text);
  }

  /** The lines kept, each with the time it began. */
  printed(): PrintedLine[] {
    return this.all();
  }

  /** True once a line matching `pattern` has been printed. */
  seen(pattern: RegExp): boolean {
    return this.lines().some((line) => pattern.test(line));
  }

  private all(): PrintedLine[] {
    return this.partial ? [...this.kept, this.partial] : [...this.kept];
  }

  private append(text: string): void {
    const now = Date.now();
    const parts = text.split(/\r?\n/);
    const first = { text: (this.partial?.text ?? '') + parts[0], at: this.partial?.at ?? now };
    const lines = [first, ...parts.slice(1).map((part) => ({ text: part, at: now }))];
    const last = lines.pop() as PrintedLine;
    this.partial = last.text ? last : undefined;
    this.kept.push(...lines);
    this.kept.splice(0, Math.max(0, this.kept.length - this.limit));
  }
}

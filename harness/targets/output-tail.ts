import type { Readable } from 'node:stream';

/**
 * Keeps the last lines a server printed (a process's stdout and stderr, a container's log), for
 * error messages and for waiting on a ready line. A line still being written counts too.
 */
export class OutputTail {
  private readonly kept: string[] = [];
  private partial = '';

  constructor(private readonly limit = 50) {}

  /** Resolves when the stream ends. */
  follow(stream: Readable): Promise<void> {
    stream.on('data', (chunk: Buffer | string) => this.append(chunk.toString()));
    return new Promise((resolve) => stream.once('close', resolve).once('end', resolve));
  }

  lines(): string[] {
    return this.partial ? [...this.kept, this.partial] : [...this.kept];
  }

  /** True once a line matching `pattern` has been printed. */
  seen(pattern: RegExp): boolean {
    return this.lines().some((line) => pattern.test(line));
  }

  private append(text: string): void {
    const lines = (this.partial + text).split(/\r?\n/);
    this.partial = lines.pop() ?? '';
    this.kept.push(...lines);
    this.kept.splice(0, Math.max(0, this.kept.length - this.limit));
  }
}

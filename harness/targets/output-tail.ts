import type { Readable } from 'node:stream';
import { createInterface } from 'node:readline';

/** Keeps the last lines a process printed (stdout and stderr together) and lets one wait for a line. */
export class OutputTail {
  private readonly lines: string[] = [];
  private readonly listeners = new Set<(line: string) => void>();

  constructor(private readonly limit = 50) {}

  follow(stream: Readable, prefix = ''): void {
    createInterface({ input: stream }).on('line', (text) => {
      const line = prefix + text;
      this.lines.push(line);
      if (this.lines.length > this.limit) this.lines.shift();
      for (const listener of this.listeners) listener(line);
    });
  }

  last(n = 20): string[] {
    return this.lines.slice(-n);
  }

  /** True once a line matching `pattern` has been printed (including before this call). */
  seen(pattern: RegExp): boolean {
    return this.lines.some((line) => pattern.test(line));
  }

  onLine(listener: (line: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

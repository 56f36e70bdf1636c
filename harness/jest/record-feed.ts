import { closeSync, fstatSync, openSync, readSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { OutcomeRecord } from '../report/outcome-record';

/**
 * The case records the suite files append to the outcomes folder, each read once, as they
 * arrive: what the progress reporter prints each finished case from.
 */
export class RecordFeed {
  /** How far each file has been read: up to the end of its last complete line. */
  private readonly offsets = new Map<string, number>();

  constructor(private readonly dir: string) {}

  /** The records appended since the last call. */
  next(): OutcomeRecord[] {
    return readdirSync(this.dir)
      .filter((name) => name.endsWith('.jsonl'))
      .flatMap((name) => this.readNew(path.join(this.dir, name)));
  }

  private readNew(file: string): OutcomeRecord[] {
    const fd = openSync(file, 'r');
    try {
      const from = this.offsets.get(file) ?? 0;
      const added = Buffer.alloc(fstatSync(fd).size - from);
      readSync(fd, added, 0, added.length, from);
      // A line still being written waits for the next call.
      const complete = added.lastIndexOf(0x0a) + 1;
      this.offsets.set(file, from + complete);
      return added
        .subarray(0, complete)
        .toString('utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as OutcomeRecord);
    } finally {
      closeSync(fd);
    }
  }
}

const LF = 0x0a;
const CR = 0x0d;

/** What a chunk of input yields: a complete line (terminator removed), or notice of an over-long one. */
export type LineEvent = { kind: 'line'; line: Buffer } | { kind: 'too-long' };

/** Turns the chunks of a byte stream into line events; the chat server reads every connection through one. */
export interface LineSource {
  push(chunk: Buffer): LineEvent[];
}

const TOO_LONG: LineEvent = { kind: 'too-long' };

/**
 * Incremental LF splitter (chat-protocol §2). A CR right before the LF is dropped; any other CR is
 * content. Bytes after the last LF wait for the next chunk. A line whose content exceeds `maxLine`
 * bytes yields one `too-long` event and is skipped up to and including its LF, so memory stays
 * bounded however long the line grows.
 */
export class LineReader implements LineSource {
  private parts: Buffer[] = [];
  private pending = 0;
  /** True while skipping the rest of an over-long line. */
  private discarding = false;

  constructor(private readonly maxLine: number) {}

  push(chunk: Buffer): LineEvent[] {
    const events: LineEvent[] = [];
    let start = 0;
    while (start < chunk.length) {
      const lf = chunk.indexOf(LF, start);
      this.take(chunk.subarray(start, lf === -1 ? chunk.length : lf), events);
      if (lf === -1) break;
      this.finishLine(events);
      start = lf + 1;
    }
    return events;
  }

  private take(piece: Buffer, events: LineEvent[]): void {
    if (this.discarding || piece.length === 0) return;
    this.pending += piece.length;
    // maxLine + 1 may still be maxLine bytes of content plus the CR of a CRLF; one more cannot be.
    if (this.pending > this.maxLine + 1) {
      this.reset();
      this.discarding = true;
      events.push(TOO_LONG);
      return;
    }
    this.parts.push(piece);
  }

  private finishLine(events: LineEvent[]): void {
    if (this.discarding) {
      this.discarding = false;
      return;
    }
    let line = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.pending);
    this.reset();
    if (line.length > 0 && line[line.length - 1] === CR) line = line.subarray(0, -1);
    events.push(line.length > this.maxLine ? TOO_LONG : { kind: 'line', line });
  }

  private reset(): void {
    this.parts = [];
    this.pending = 0;
  }
}

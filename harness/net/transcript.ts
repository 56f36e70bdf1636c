/**
 * Everything that happened on a case's connections, in order, with times relative to the case's
 * start. Failure messages and reports are built from it, so it is the single source of evidence.
 * Consecutive sends (or receives) on one connection are folded into one event so a 16 MiB transfer
 * stays a handful of lines and a bounded amount of memory.
 */
export type EventKind =
  | 'connect'
  | 'connected'
  | 'connect-failed'
  | 'sent'
  | 'received'
  | 'fin-sent'
  | 'fin-received'
  | 'rst-sent'
  | 'rst-received'
  | 'closed'
  | 'error'
  | 'note'
  /** A process under test wrote to its stdout (bytes, folded like data) or stderr (a line, in detail). */
  | 'printed';

export interface TranscriptEvent {
  /** Milliseconds since the case started. */
  at: number;
  conn: string;
  kind: EventKind;
  /** For sent/received: total bytes in this (folded) event. */
  bytes?: number;
  /** For sent/received: how many writes or reads were folded into it. */
  segments?: number;
  /** For sent/received: the first bytes, for a glance at the content. */
  head?: Buffer;
  detail?: string;
}

const HEAD_BYTES = 16;
/** The first events are kept, and the latest: a failure is usually at the end. */
const FIRST_EVENTS = 1000;
const LATEST_EVENTS = 4000;

export class Transcript {
  private readonly first: TranscriptEvent[] = [];
  private latest: TranscriptEvent[] = [];
  private dropped = 0;
  private readonly origin = performance.now();

  /** The events kept, in order (the middle of a very long case is dropped: see droppedEvents). */
  get events(): TranscriptEvent[] {
    return [...this.first, ...this.latest];
  }

  now(): number {
    return performance.now() - this.origin;
  }

  record(conn: string, kind: EventKind, detail?: string): void {
    this.push({ at: this.now(), conn, kind, detail });
  }

  data(conn: string, kind: 'sent' | 'received' | 'printed', chunk: Buffer, detail?: string): void {
    const last = this.latest[this.latest.length - 1] ?? this.first[this.first.length - 1];
    if (last && last.conn === conn && last.kind === kind && last.detail === detail) {
      last.bytes = (last.bytes ?? 0) + chunk.length;
      last.segments = (last.segments ?? 1) + 1;
      return;
    }
    this.push({
      at: this.now(),
      conn,
      kind,
      bytes: chunk.length,
      segments: 1,
      head: Buffer.from(chunk.subarray(0, HEAD_BYTES)),
      detail,
    });
  }

  /** Events between the first and the latest ones kept, counted but not kept. */
  get droppedEvents(): number {
    return this.dropped;
  }

  private push(event: TranscriptEvent): void {
    if (this.first.length < FIRST_EVENTS) {
      this.first.push(event);
      return;
    }
    this.latest.push(event);
    if (this.latest.length > LATEST_EVENTS * 2) {
      this.dropped += this.latest.length - LATEST_EVENTS;
      this.latest = this.latest.slice(-LATEST_EVENTS);
    }
  }
}

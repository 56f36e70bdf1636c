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
  | 'note';

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
const MAX_EVENTS = 5000;

export class Transcript {
  readonly events: TranscriptEvent[] = [];
  private dropped = 0;
  private readonly origin = performance.now();

  now(): number {
    return performance.now() - this.origin;
  }

  record(conn: string, kind: EventKind, detail?: string): void {
    this.push({ at: this.now(), conn, kind, detail });
  }

  data(conn: string, kind: 'sent' | 'received', chunk: Buffer, detail?: string): void {
    const last = this.events[this.events.length - 1];
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

  /** Events past the bound are counted, not kept. */
  get droppedEvents(): number {
    return this.dropped;
  }

  private push(event: TranscriptEvent): void {
    if (this.events.length >= MAX_EVENTS) {
      this.dropped++;
      return;
    }
    this.events.push(event);
  }
}

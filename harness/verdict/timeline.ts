import type { Transcript, TranscriptEvent } from '../net/transcript';
import { hex } from './bytes';

const SAY: Record<TranscriptEvent['kind'], string> = {
  connect: 'connect to',
  connected: 'connected',
  'connect-failed': 'connect failed:',
  sent: 'sent',
  received: 'received',
  'fin-sent': 'FIN sent (write side shut down)',
  'fin-received': 'FIN received (peer closed its write side)',
  'rst-sent': 'RST sent',
  'rst-received': 'RST received (connection reset by peer)',
  closed: 'closed by the harness',
  error: 'socket error:',
  note: 'note:',
  printed: 'printed',
};

export function describeEvent(event: TranscriptEvent): string {
  const what = SAY[event.kind];
  if (event.kind === 'sent' || event.kind === 'received' || (event.kind === 'printed' && event.bytes !== undefined)) {
    const segments = event.segments ?? 1;
    const unit = event.kind === 'received' ? 'read' : 'write';
    const head = event.head && event.head.length ? `  ${hex(event.head)}${(event.bytes ?? 0) > event.head.length ? ' ...' : ''}` : '';
    return `${what} ${event.bytes} B in ${segments} ${unit}${segments === 1 ? '' : 's'}${event.detail ? ` ${event.detail}` : ''}${head}`;
  }
  return event.detail ? `${what} ${event.detail}` : what;
}

/** The transcript as lines `time  connection  event`, the middle elided past `limit` lines. */
export function timeline(transcript: Transcript, limit = 24, client?: string): string[] {
  const events = client ? transcript.events.filter((e) => e.conn.endsWith(client)) : transcript.events;
  const width = Math.max(4, ...events.map((e) => e.conn.length));
  const line = (e: TranscriptEvent) => `${e.at.toFixed(1).padStart(9)} ms  ${e.conn.padEnd(width)}  ${describeEvent(e)}`;
  const dropped = transcript.droppedEvents ? [`${' '.repeat(14)}(${transcript.droppedEvents} events in the middle of this case were not kept)`] : [];
  if (events.length <= limit) return [...events.map(line), ...dropped];
  const head = Math.floor(limit / 3);
  const tail = limit - head;
  return [
    ...events.slice(0, head).map(line),
    `${' '.repeat(14)}... ${events.length - limit} events not shown ...`,
    ...events.slice(-tail).map(line),
    ...dropped,
  ];
}

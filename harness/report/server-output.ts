import type { PrintedLine } from '../targets/output-tail';
import type { OutcomeRecord } from './outcome-record';

/** A server prints about an event a little after the client saw it (a close, then a log line). */
const LATE_MS = 250;
const MAX_LINES = 40;

/**
 * Gives each failed case the lines its server printed while the case ran: the server's side of
 * the failure (a crash, a refused client), next to the client's transcript. Only targets whose
 * output sockspec keeps (commands, containers) have any. Each line is stamped with its time from
 * the case's start, as the transcript's timeline is; a line printed just after the case ended may
 * belong to it or to the case after it, and is shown with both.
 */
export function attachServerOutput(records: OutcomeRecord[], printed: () => readonly PrintedLine[]): void {
  const failed = records.filter((r) => r.verdict === 'fail' && r.startedAt !== undefined);
  for (const r of failed) {
    const start = r.startedAt as number;
    const end = start + r.durationMs + LATE_MS;
    const lines = printed().filter((line) => line.at >= start && line.at <= end);
    if (lines.length) r.serverOutput = lines.slice(-MAX_LINES).map((line) => `+${line.at - start} ms  ${line.text}`);
  }
}

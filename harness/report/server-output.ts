import type { Target } from '../targets/target';
import type { OutcomeRecord } from './outcome-record';

/** A log line lags the event behind it (a container's log travels through the engine). */
const LATE_MS = 250;
const MAX_LINES = 40;

/**
 * Gives each failed case the lines its server printed while the case ran: the server's side of
 * the failure (a crash, a refused client), next to the client's transcript. Only targets whose
 * output sockspec keeps (commands, containers) have any. Each line is stamped with its time from
 * the case's start, as the transcript's timeline is; a line printed just after the case ended may
 * belong to it or to the case after it, and is shown with both.
 */
export function attachServerOutput(records: OutcomeRecord[], target: Target): void {
  if (!target.logsBetween) return;
  for (const r of records) {
    if (r.verdict !== 'fail' || r.startedAt === undefined) continue;
    const start = r.startedAt;
    const lines = target.logsBetween(start, start + r.durationMs + LATE_MS);
    if (lines.length) r.serverOutput = lines.slice(-MAX_LINES).map((line) => `+${line.at - start} ms  ${line.text}`);
  }
}

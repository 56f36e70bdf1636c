import { setTimeout as sleep } from 'node:timers/promises';
import { capLine, type PrintedLine } from '../targets/output-tail';
import type { OutcomeRecord } from './outcome-record';

/** A server prints about an event a little after the client saw it (a close, then a log line). */
const LATE_MS = 250;
/** Per case; its own lines are the last ones before it ended, nearest the failure. */
const MAX_LINES = 40;
/** Of the lines printed within LATE_MS after the case ended, the first ones. */
const LATE_LINES = 10;
/** Characters of server output in a report, all failed cases together (docs/ci.md). */
export const REPORT_OUTPUT_CHARS = 512 * 1024;

/**
 * Gives each failed case the lines its server printed while the case ran: the server's side of
 * the failure (a crash, a refused client), next to the client's transcript. Only targets whose
 * output sockspec keeps (commands, containers) have any. Each line is stamped with its time from
 * the case's start, as the transcript's timeline is. A line printed just after the case ended may
 * be about it (a server logs a close after closing) or about the next case, which has started
 * meanwhile: the first few are shown with the case too, so that a server that logs every
 * connection does not push the case's own lines out. The target keeps the lines of the whole run
 * within OUTPUT_BOUNDS (targets/output-tail.ts), so every failed case still has its lines.
 */
export async function attachServerOutput(records: OutcomeRecord[], printed: () => readonly PrintedLine[]): Promise<void> {
  const failed = records.filter((r) => r.verdict === 'fail' && r.startedAt !== undefined);
  if (failed.length === 0) return;
  // Lines reach sockspec through a pipe or a log stream, after the server printed them: what it
  // printed as the last failed case ended may not have arrived yet when jest is done.
  const lastEnd = Math.max(...failed.map((r) => (r.startedAt as number) + r.durationMs));
  await sleep(Math.max(0, lastEnd + LATE_MS - Date.now()));
  let room = REPORT_OUTPUT_CHARS;
  for (const r of failed) {
    const start = r.startedAt as number;
    const end = start + r.durationMs;
    const own = printed().filter((line) => line.at >= start && line.at <= end);
    const late = printed()
      .filter((line) => line.at > end && line.at <= end + LATE_MS)
      .slice(0, LATE_LINES);
    const shown = [...own.slice(-(MAX_LINES - late.length)), ...late];
    if (shown.length === 0) continue;
    const cut = own.length + late.length - shown.length;
    // Lines from a container's log come whole: capped here like those a command printed.
    const lines = shown.map((line) => `+${line.at - start} ms  ${capLine(line.text)}`);
    const kept = within(cut ? [`[… ${cut} earlier lines of this case not shown]`, ...lines] : lines, room);
    room -= kept.reduce((sum, line) => sum + line.length, 0);
    r.serverOutput = kept;
  }
}

/** The first lines that fit in `room` characters, then how many bytes of the rest were left out. */
function within(lines: string[], room: number): string[] {
  let used = 0;
  const fit = lines.findIndex((line) => (used += line.length) > room);
  if (fit < 0) return lines;
  const omitted = lines.slice(fit).reduce((sum, line) => sum + Buffer.byteLength(line) + 1, 0);
  return [...lines.slice(0, fit), `[… ${omitted} bytes omitted: a report keeps at most ${REPORT_OUTPUT_CHARS / 1024} KiB of server output, for all cases together]`];
}

import { RECEIVE_WINDOW, type TcpConnection } from '../../net/tcp-connection';
import type { Patience } from '../../net/waiter';
import { dump } from '../../verdict/bytes';
import { SuiteUsageError } from '../../verdict/failure';
import { formatBytes } from '../../vocabulary/units';

const LF = 0x0a;
const CR = 0x0d;
/** Lines longer than this are shortened in failure messages. */
const SHOWN_CHARS = 100;

/**
 * Reads complete lines (LF-terminated; one CR before the LF is dropped) from a TCP connection and
 * hands each to `visit` until it returns true. Only the lines visited are consumed, so the next
 * step starts right after the line that ended this one. Every batch of lines renews the patience:
 * a long but steady stream is not a stall.
 *
 * Returns undefined when `visit` ended the read, else why no further line came.
 */
export async function readLines(conn: TcpConnection, patience: Patience, visit: (line: string) => boolean): Promise<string | undefined> {
  for (;;) {
    // One peek per wake-up, all complete lines taken from it: a flood of lines costs linear time.
    const unread = conn.peek();
    let start = 0;
    for (let lf = unread.indexOf(LF); lf !== -1; lf = unread.indexOf(LF, start)) {
      const end = lf > start && unread[lf - 1] === CR ? lf - 1 : lf;
      const line = unread.toString('utf8', start, end);
      start = lf + 1;
      if (visit(line)) {
        conn.consume(start);
        return undefined;
      }
    }
    if (start > 0) {
      conn.consume(start);
      patience.progress();
    }
    const stopped = conn.endDescription();
    if (stopped) return stopped;
    const full = windowFull(conn, 'without a line end', 'a line');
    if (full) return full;
    const pending = conn.available;
    const waited = await conn.waiter.until(() => conn.available > pending || conn.ended, patience.deadline, patience.signal);
    if (waited !== 'ready') return patience.why(waited);
  }
}

/**
 * Why a read cannot go on, once the connection holds all the unread bytes it may (RECEIVE_WINDOW)
 * and none of them is what the step waits for: `what` did not come within them, and waiting longer
 * would either grow without bound or wait for bytes that cannot arrive.
 */
export function windowFull(conn: TcpConnection, missing: string, unit: string): string | undefined {
  if (!conn.full) return undefined;
  return `the server sent ${formatBytes(conn.available)} ${missing}; ${unit} is at most ${formatBytes(RECEIVE_WINDOW)} (what sockspec holds unread per connection)`;
}

/** Evidence for a read that stopped early: the start of what is unread (a line never ended). */
export function unreadEvidence(conn: TcpConnection): string[] {
  const bytes = conn.peek();
  return bytes.length ? dump('unread', 0, bytes, 2) : [];
}

/** A regex that must match a whole line; `source` is as the suite wrote it (placeholders filled). */
export interface LinePattern {
  readonly source: string;
  readonly regex: RegExp;
  test(line: string): boolean;
}

/**
 * Anchored here, so suites need no ^ and $. The `u` flag keeps `.` to one character however the
 * UTF-8 text is split into code units.
 */
export function wholeLine(source: string, what: string): LinePattern {
  try {
    const regex = new RegExp(`^(?:${source})$`, 'u');
    return { source, regex, test: (line) => regex.test(line) };
  } catch (err) {
    throw new SuiteUsageError(`${what} is not a valid regex: ${(err as Error).message}`);
  }
}

/** "1 line", "3 lines". */
export function lines(n: number): string {
  return n === 1 ? '1 line' : `${n} lines`;
}

/** The evidence line for lines a `skip` regex passed over, if any. */
export function skippedNote(skipped: number): string[] {
  return skipped > 0 ? [`${lines(skipped)} matching skip passed over`] : [];
}

/** A line as failure messages show it: quoted, and shortened when long. */
export function shown(line: string): string {
  if (line.length <= SHOWN_CHARS) return JSON.stringify(line);
  return `${JSON.stringify(line.slice(0, SHOWN_CHARS))}... (${Buffer.byteLength(line)} bytes)`;
}

/**
 * Numbered lines for failure details, each shown by `render`; `mark` (a 0-based index) gets an
 * arrow and stays in view; long lists keep the end.
 */
export function listLines(label: string, lines: readonly string[], mark = -1, render: (line: string) => string = shown, limit = 8): string[] {
  if (lines.length === 0) return [`${label}: none`];
  const focus = mark >= 0 ? mark : lines.length - 1;
  const from = Math.max(0, Math.min(focus - limit + 2, lines.length - limit));
  const to = Math.min(lines.length, from + limit);
  return [
    `${label} (${lines.length}):`,
    ...(from > 0 ? [`     ... ${from} earlier`] : []),
    ...lines.slice(from, to).map((line, i) => `  ${from + i === mark ? '>' : ' '} ${String(from + i + 1).padStart(3)}  ${render(line)}`),
    ...(to < lines.length ? [`     ... ${lines.length - to} more`] : []),
  ];
}

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** A target's server (a command's process, a container) that ended while the run still needed it. */
export interface TargetExit {
  /** `code 3`, `SIGKILL`: how it ended. */
  exit: string;
  /** When it was seen to end (Date.now()). */
  at: number;
  /** Its last output lines. */
  output: string[];
}

/** What a dead target's message shows of its output: the last lines, each cut short. */
const SHOWN_LINES = 3;
const SHOWN_CHARS = 200;

/**
 * The one reason every case after the exit fails with: `the target exited with code 3 at
 * 12:00:01.250 UTC; last output: | …`. The same text for every case, so the reports group them.
 */
export function targetExitMessage({ exit, at, output }: TargetExit): string {
  const how = /^code /.test(exit) ? `with ${exit}` : `on ${exit}`;
  const time = `${new Date(at).toISOString().slice(11, 23)} UTC`;
  const lines = output.slice(-SHOWN_LINES).map((line) => (line.length > SHOWN_CHARS ? `${line.slice(0, SHOWN_CHARS)} [… ${line.length - SHOWN_CHARS} more characters]` : line));
  const last = lines.length ? `; last output: ${lines.map((line) => `| ${line}`).join(' ')}` : '; it printed nothing';
  return `the target exited ${how} at ${time}${last}`;
}

/*
 * The CLI watches the target; the suite files run inside jest, possibly in other processes, and
 * learn of the exit from a file next to the case records.
 */
const FILE = 'target-exit.json';

export function writeTargetExit(outcomesDir: string, exit: TargetExit): void {
  writeFileSync(path.join(outcomesDir, FILE), JSON.stringify(exit));
}

export function readTargetExit(outcomesDir: string): TargetExit | undefined {
  const file = path.join(outcomesDir, FILE);
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as TargetExit) : undefined;
}

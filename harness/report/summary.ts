import { isFlaky, type OutcomeRecord } from './outcome-record';
import { failsRun } from './verdict';

interface Row {
  suite: string;
  passed: number;
  failed: number;
  tolerated: number;
  skipped: number;
  /** Cases a mistake in the suite stopped: not the server's failures. */
  errors: number;
  ms: number;
  /** With --repeat: the runs of the suite's cases, and how many passed. */
  runs: number;
  runsPassed: number;
}

/**
 * The table printed after a run: per suite, passed / failed / failed-but-tolerated (`should`
 * without --strict, or `info`), time, and with --repeat the runs that passed; then the notes
 * cases left (e.g. measured UDP loss) and the flaky cases with their pass rates; and `targetExit`,
 * the reason the cases after a target exited failed with, once.
 */
export function summaryLines(records: readonly OutcomeRecord[], strict: boolean, targetExit?: string): string[] {
  const rows = new Map<string, Row>();
  for (const r of records) {
    const row = rows.get(r.suite) ?? { suite: r.suite, passed: 0, failed: 0, tolerated: 0, skipped: 0, errors: 0, ms: 0, runs: 0, runsPassed: 0 };
    if (r.verdict === 'pass') row.passed++;
    else if (r.verdict === 'skip') row.skipped++;
    else if (r.suiteError) row.errors++;
    else if (failsRun(r, strict)) row.failed++;
    else if (r.verdict === 'fail') row.tolerated++;
    row.ms += r.durationMs;
    row.runs += r.runs ?? 0;
    row.runsPassed += r.passed ?? 0;
    rows.set(r.suite, row);
  }
  const repeated = records.some((r) => r.runs !== undefined);
  // Shown only when a suite had a mistake, as runs only with --repeat.
  const erred = records.some((r) => r.suiteError);
  const runsWidth = Math.max(4, ...[...rows.values()].map((row) => `${row.runsPassed}/${row.runs}`.length));
  const width = Math.max(5, ...[...rows.keys()].map((s) => s.length));
  const header = `${'suite'.padEnd(width)}  passed  failed  tolerated  skipped${erred ? '  errors' : ''}    time${repeated ? `  ${'runs'.padStart(runsWidth)}` : ''}`;
  const lines = [header, '-'.repeat(header.length)];
  for (const row of rows.values()) {
    lines.push(
      `${row.suite.padEnd(width)}  ${String(row.passed).padStart(6)}  ${String(row.failed).padStart(6)}  ${String(row.tolerated).padStart(9)}  ${String(row.skipped).padStart(7)}${erred ? `  ${String(row.errors).padStart(6)}` : ''}  ${(row.ms / 1000).toFixed(1).padStart(5)} s${repeated ? `  ${`${row.runsPassed}/${row.runs}`.padStart(runsWidth)}` : ''}`,
    );
  }
  const notes = records.flatMap((r) => r.notes.map((note) => `  ${r.suite}/${r.caseId}: ${note}`));
  if (notes.length) lines.push('', 'notes:', ...notes);
  const flaky = records.filter((r) => r.flaky);
  if (flaky.length) lines.push('', 'flaky (failed, then passed when run again):', ...flaky.map((r) => `  ${r.suite}/${r.caseId} (${r.flaky?.attempts} attempts)`));
  const mixed = records.filter(isFlaky);
  if (mixed.length) lines.push('', 'flaky (passed some of their --repeat runs, failed others):', ...mixed.map((r) => `  ${r.suite}/${r.caseId}: passed ${r.passed} of ${r.runs} runs`));
  const skipped = records.filter((r) => r.verdict === 'skip');
  if (skipped.length) lines.push('', 'skipped:', ...skippedLines(skipped));
  const tolerated = records.filter((r) => r.verdict === 'fail' && !failsRun(r, strict));
  if (tolerated.length) {
    lines.push('', 'failed but not required (should without --strict, or info):', ...tolerated.map((r) => `  ${r.suite}/${r.caseId} [${r.level}]`));
  }
  const suiteErrors = records.filter((r) => r.suiteError);
  if (suiteErrors.length) {
    lines.push('', 'stopped by a mistake in the suite (not the server\'s failure; JUnit <error>, exit 2):', ...suiteErrors.map((r) => `  ${r.suite}/${r.caseId}`));
  }
  if (targetExit) {
    // Said once here; each case after the exit carries the same reason in the reports.
    const notRun = records.filter((r) => r.message === targetExit).length;
    lines.push('', targetExit, `  ${notRun} case(s) after it failed without running`);
  }
  return lines;
}

/** How many case ids a line of skipped cases names before it only counts the rest. */
const SKIPPED_IDS_SHOWN = 3;

/**
 * One line per suite and reason: a client suite run without --client skips every case for one
 * reason, which says more once than fifteen times.
 */
function skippedLines(skipped: readonly OutcomeRecord[]): string[] {
  const groups = new Map<string, OutcomeRecord[]>();
  for (const r of skipped) {
    const key = `${r.suite}\0${r.reason ?? ''}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((group) => {
    const [{ suite, caseId, reason }] = group;
    if (group.length === 1) return `  ${suite}/${caseId}: ${reason}`;
    const ids = group.slice(0, SKIPPED_IDS_SHOWN).map((r) => r.caseId);
    const more = group.length > SKIPPED_IDS_SHOWN ? `, and ${group.length - SKIPPED_IDS_SHOWN} more` : '';
    return `  ${suite}: ${group.length} cases (${ids.join(', ')}${more}): ${reason}`;
  });
}

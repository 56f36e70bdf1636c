import path from 'node:path';
import { baselineOf, gate, gateLines, readBaseline, writeBaseline } from '../report/baseline';
import { writeHtmlReport } from '../report/html';
import { writeJunit, type JestProblem } from '../report/junit';
import type { OutcomeRecord } from '../report/outcome-record';
import { resultsOf, writeResults, type ResultEntry } from '../report/results-json';
import { EXIT } from './errors';
import type { TimeScale } from '../vocabulary/time-scale';
import type { RunCapture } from './capture-flag';

export interface ReportFlags {
  strict: boolean;
  baseline?: string;
  updateBaseline: boolean;
  failOnUnexpectedPass: boolean;
  /** The run was interrupted: the reports hold the cases that ended before. */
  interrupted?: boolean;
  /** --time-scale and --no-timeouts, which the reports state. */
  timing?: TimeScale;
  /** What the run did about packet captures (--capture), which results.json states. */
  captures?: RunCapture;
}

/**
 * Everything after the cases ran: junit.xml, results.json and index.html from the case records
 * (and what jest failed without a record), and, with a baseline, the exit code decided by
 * regressions alone.
 */
export function finishReports(reportsDir: string, records: OutcomeRecord[], target: string, flags: ReportFlags, jestProblems: readonly JestProblem[]): { code: number; lines: string[] } {
  const results = resultsOf(records, target, flags.strict, flags.interrupted, flags.timing, flags.captures, reportsDir);
  writeResults(reportsDir, results);
  writeHtmlReport(reportsDir, results);
  writeJunit(path.join(reportsDir, 'junit.xml'), { records, jestProblems, strict: flags.strict, interrupted: flags.interrupted, timeScale: flags.timing });
  const failing = (entry: ResultEntry) => entry.verdict === 'fail' && (entry.level === 'must' || (flags.strict && entry.level === 'should'));
  // A failure jest saw that no case recorded (e.g. jest's own timeout) fails the run whatever the baseline says.
  const unrecorded = jestProblems.length > 0;
  if (flags.baseline && flags.updateBaseline) {
    writeBaseline(flags.baseline, baselineOf(results, flags.baseline));
    return { code: unrecorded ? EXIT.fail : EXIT.pass, lines: [`baseline written: ${flags.baseline} (${results.cases.length} cases)`] };
  }
  if (flags.baseline) {
    const result = gate(results, readBaseline(flags.baseline), failing);
    const fails = result.regressions.length > 0 || (flags.failOnUnexpectedPass && result.unexpectedPasses.length > 0) || unrecorded;
    return { code: fails ? EXIT.fail : EXIT.pass, lines: [`baseline ${flags.baseline}:`, ...gateLines(result)] };
  }
  const fails = results.cases.some(failing) || unrecorded;
  return { code: fails ? EXIT.fail : EXIT.pass, lines: [] };
}

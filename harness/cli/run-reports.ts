import path from 'node:path';
import { baselineOf, gate, gateLines, readBaseline, writeBaseline } from '../report/baseline';
import { writeHtmlReport } from '../report/html';
import { annotateJunit } from '../report/junit-annotate';
import type { OutcomeRecord } from '../report/outcome-record';
import { resultsOf, writeResults, type ResultEntry } from '../report/results-json';
import { EXIT } from './errors';

export interface ReportFlags {
  strict: boolean;
  baseline?: string;
  updateBaseline: boolean;
  failOnUnexpectedPass: boolean;
  /** The run was interrupted: the reports hold the cases that ended before. */
  interrupted?: boolean;
}

/**
 * Everything after the cases ran: results.json and index.html beside junit.xml, flaky cases and
 * the server's output of failed cases added to the JUnit file, and, with a baseline, the exit
 * code decided by regressions alone.
 */
export function finishReports(reportsDir: string, records: OutcomeRecord[], target: string, flags: ReportFlags, jestFailures: number): { code: number; lines: string[] } {
  const results = resultsOf(records, target, flags.strict, flags.interrupted);
  writeResults(reportsDir, results);
  writeHtmlReport(reportsDir, results);
  annotateJunit(path.join(reportsDir, 'junit.xml'), records);
  const failing = (entry: ResultEntry) => entry.verdict === 'fail' && (entry.level === 'must' || (flags.strict && entry.level === 'should'));
  // A failure jest saw that no case recorded (e.g. jest's own timeout) fails the run whatever the baseline says.
  const unrecorded = jestFailures > records.filter((r) => r.verdict === 'fail' && r.level !== 'info').length;
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

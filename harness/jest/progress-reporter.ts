import type { Test, TestCaseResult, TestResult } from '@jest/reporters';
import { style } from '../report/style';
import { collapseAttempts, isFlaky, type OutcomeRecord } from '../report/outcome-record';
import { RecordFeed } from './record-feed';
import { readSettings } from './settings';

/**
 * Prints each case as it finishes (jest's default reporter waits for a whole file), with the full
 * failure text right under a failed case. Used by `sockspec run` in place of jest's own output.
 * jest says whether a test passed; the case's record (appended by the suite file before its test
 * ends) says the rest: a failure tolerated by its level, a skip's reason, the case's own time.
 */
class ProgressReporter {
  private readonly settings = readSettings();
  private readonly feed = this.settings.outcomesDir ? new RecordFeed(this.settings.outcomesDir) : undefined;
  /** Records read but not printed yet, by `suite/case-id`: one, or one per run with --repeat. */
  private readonly unprinted = new Map<string, OutcomeRecord[]>();
  /** After Ctrl-C the target is being stopped: a case ending now would be shown failing for it. */
  private interrupted = false;
  private readonly onSignal = () => {
    this.interrupted = true;
  };

  onRunStart(): void {
    // On a terminal jest writes "Determining test suites to run..." with no newline, and only
    // its own reporters erase it: the first case line would follow it on the same line.
    if (process.stdout.isTTY) process.stdout.write('\r\u001b[K');
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  onRunComplete(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }

  onTestCaseResult(_test: Test, result: TestCaseResult): void {
    if (this.interrupted) return;
    const record = this.take(result);
    const attempt = result.invocations ?? 1;
    const attempts = (this.settings.retries ?? 0) + 1;
    const line = (mark: string, note = '') => this.write(mark, result, record?.durationMs ?? result.duration ?? 0, [note, passRate(record)].filter(Boolean).join('  '));
    if (result.status === 'failed') {
      if (attempt < attempts) line(style.warn('↻'), `failed attempt ${attempt} of ${attempts}, will retry`);
      else if (record?.suiteError) line(style.fail('!'), 'a mistake in the suite, not the server\'s failure');
      else line(style.fail('✗'), attempt > 1 ? `failed all ${attempts} attempts` : '');
      for (const message of result.failureMessages) process.stdout.write(`${indent(message)}\n\n`);
    } else if (result.status === 'passed' && record?.verdict === 'fail') {
      // The case failed, but its level lets the run pass: its jest test passed.
      line(style.warn('~'), `tolerated: ${record.level === 'info' ? 'an info case never fails the run' : 'a should case fails the run only with --strict'}`);
      process.stdout.write(`${indent(record.message ?? '')}\n\n`);
    } else if (result.status === 'passed') {
      line(style.pass('✓'), attempt > 1 ? `flaky: passed on attempt ${attempt} of ${attempts}` : '');
    } else line(style.warn('-'));
  }

  onTestResult(test: Test, result: TestResult): void {
    if (this.interrupted) return;
    // Skipped tests never reach onTestCaseResult. Those --filter leaves out have no record;
    // those skipped for a need get one, with the reason from their record.
    for (const skipped of result.testResults.filter((r) => r.status === 'pending')) {
      const record = this.take(skipped);
      if (record?.verdict !== 'skip') continue;
      process.stdout.write(`${this.caseText(style.warn('-'), skipped)}  [skipped: ${record.reason}]\n`);
    }
    if (result.testExecError) {
      process.stdout.write(`${style.fail('✗')} ${test.path} could not run:\n${indent(result.testExecError.message)}\n`);
    }
  }

  getLastError(): Error | undefined {
    return undefined;
  }

  /**
   * The record of the case jest reports, if the suite file wrote one (not when jest timed it out):
   * with --repeat, its runs' records joined.
   */
  private take(result: Pick<TestCaseResult, 'ancestorTitles' | 'title'>): OutcomeRecord | undefined {
    for (const record of this.feed?.next() ?? []) {
      const key = `${record.suite}/${record.caseId}`;
      this.unprinted.set(key, [...(this.unprinted.get(key) ?? []), record]);
    }
    const key = `${result.ancestorTitles[0] ?? ''}/${result.title.split(': ')[0]}`;
    const records = this.unprinted.get(key);
    this.unprinted.delete(key);
    return records && collapseAttempts(records)[0];
  }

  private caseText(mark: string, result: Pick<TestCaseResult, 'ancestorTitles' | 'title'>): string {
    const [id, ...rest] = result.title.split(': ');
    return `${mark} ${result.ancestorTitles[0] ?? ''}/${id}  ${rest.join(': ')}`;
  }

  private write(mark: string, result: TestCaseResult, ms: number, note: string): void {
    process.stdout.write(`${this.caseText(mark, result)}  ${style.dim(`${ms} ms`)}${note ? `  ${note}` : ''}\n`);
  }
}

/** With --repeat: how many of the case's runs passed, and whether that makes it flaky. */
function passRate(record: OutcomeRecord | undefined): string {
  if (record?.runs === undefined) return '';
  const rate = `passed ${record.passed} of ${record.runs} runs`;
  return isFlaky(record) ? style.warn(`flaky: ${rate}`) : rate;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

export = ProgressReporter;

import type { Test, TestCaseResult, TestResult } from '@jest/reporters';
import { style } from '../cli/style';

/**
 * Prints each case as it finishes (jest's default reporter waits for a whole file), with the full
 * failure text right under a failed case. Used by `sockspec run` in place of jest's own output.
 */
class ProgressReporter {
  onTestCaseResult(_test: Test, result: TestCaseResult): void {
    const suite = result.ancestorTitles[0] ?? '';
    const [id, ...rest] = result.title.split(': ');
    const name = `${suite}/${id}`;
    const time = style.dim(`${result.duration ?? 0} ms`);
    const line = (mark: string) => `${mark} ${name}  ${rest.join(': ')}  ${time}\n`;
    if (result.status === 'passed') process.stdout.write(line(style.pass('✓')));
    else if (result.status === 'failed') {
      process.stdout.write(line(style.fail('✗')));
      for (const message of result.failureMessages) process.stdout.write(`${indent(message)}\n\n`);
    } else process.stdout.write(line(style.warn('-')));
  }

  onTestResult(test: Test, result: TestResult): void {
    // Skipped tests never reach onTestCaseResult; those --filter left out are not worth a line.
    for (const skipped of result.testResults.filter((r) => r.status === 'pending' && r.title.includes('[skipped: '))) {
      const [id, ...rest] = skipped.title.split(': ');
      process.stdout.write(`${style.warn('-')} ${skipped.ancestorTitles[0] ?? ''}/${id}  ${rest.join(': ')}\n`);
    }
    if (result.testExecError) {
      process.stdout.write(`${style.fail('✗')} ${test.path} could not run:\n${indent(result.testExecError.message)}\n`);
    }
  }

  getLastError(): Error | undefined {
    return undefined;
  }
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `    ${line}`)
    .join('\n');
}

export = ProgressReporter;

import path from 'node:path';
import type { AggregatedResult } from '@jest/test-result';
import type { JestProblem } from './junit';
import type { OutcomeRecord } from './outcome-record';

/**
 * What jest reports failed that no case record accounts for: a suite file that did not run, and
 * tests failed by jest itself (its own timeout, an error in beforeAll), which leave no record.
 * Without them the reports would show a clean run that jest failed.
 */
export function jestProblems(results: AggregatedResult, records: readonly OutcomeRecord[]): JestProblem[] {
  const recorded = new Set(records.filter((r) => r.verdict === 'fail').map((r) => `${r.suite}/${r.caseId}`));
  return results.testResults.flatMap((file): JestProblem[] => {
    const fileSuite = path.basename(file.testFilePath).replace(/(\.suite)?\.ya?ml$/, '');
    if (file.testExecError) return [{ suite: fileSuite, message: file.testExecError.message || (file.failureMessage ?? 'the suite file did not run') }];
    return file.testResults
      .filter((test) => test.status === 'failed')
      .map((test) => ({ suite: test.ancestorTitles[0] ?? fileSuite, test: test.title, message: test.failureMessages.join('\n') || 'failed' }))
      .filter((problem) => !recorded.has(`${problem.suite}/${caseIdOf(problem.test)}`));
  });
}

/** Test names are `ID: title`. */
function caseIdOf(testName: string): string {
  return testName.slice(0, testName.indexOf(':'));
}

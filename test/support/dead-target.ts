import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ResultsFile } from '../../harness/report/results-json';
import { ROOT } from './cli';

/** Its second case makes the server (fixtures/hostile/crash-on-request.js) exit with code 3; two cases follow. */
export const DIES_MID_RUN_SUITE = path.join(ROOT, 'fixtures', 'hostile', 'dies-mid-run.suite.yaml');

export const TARGET_EXIT_REASON = /^the target exited with code 3 at \d\d:\d\d:\d\d\.\d{3} UTC; last output: \| fatal: asked to crash$/;

/**
 * What a run of the dies-mid-run suite must show, whatever kind of target died: the cases after the
 * exit fail with its one reason, the case it died in says so too, and the summary says it once.
 */
export function expectExitNamed(run: { code: number | null; stdout: string }, reportsDir: string): void {
  expect(run.code).toBe(1);
  const results = JSON.parse(readFileSync(path.join(reportsDir, 'results.json'), 'utf8')) as ResultsFile;
  const byCase = Object.fromEntries(results.cases.map((c) => [c.case, c]));
  expect(byCase['echoes-before'].verdict).toBe('pass');
  expect(byCase['crashes-it']).toMatchObject({ verdict: 'fail', message: expect.stringMatching(/\nmeanwhile the target exited with code 3 at .*fatal: asked to crash$/) });
  for (const id of ['echoes-after', 'closed-after']) {
    expect(byCase[id]).toMatchObject({ verdict: 'fail', message: expect.stringMatching(TARGET_EXIT_REASON), durationMs: 0 });
  }
  // Not run: no connection was tried, so no refused connect stands in for the reason.
  expect(run.stdout).not.toMatch(/ECONNREFUSED/);
  expect(run.stdout.match(/case\(s\) after it failed without running/g)).toHaveLength(1);
  expect(run.stdout).toMatch(/^the target exited with code 3 at .*\n {2}2 case\(s\) after it failed without running$/m);
}

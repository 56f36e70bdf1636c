import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ResultsFile } from '../harness/report/results-json';
import { ROOT, sockspec, tempDir } from './support/cli';
import { projectJest } from './support/project-jest';

/** Its second case makes the server exit with code 3; two cases follow. */
const SUITE = path.join(ROOT, 'fixtures', 'hostile', 'dies-mid-run.suite.yaml');
const CRASHING = `${process.execPath} ${path.join(ROOT, 'fixtures', 'hostile', 'crash-on-request.js')} {port}`;
const REASON = /^the target exited with code 3 at \d\d:\d\d:\d\d\.\d{3} UTC; last output: \| fatal: asked to crash$/;

describe('a command target that exits in the middle of a run is named', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeAll(() => (dir = tempDir()));
  afterAll(() => dir.remove());

  test('the cases after the exit fail with its one reason, the case it died in says so too, the summary once', async () => {
    const run = await sockspec(['run', '--suite', SUITE, '--cmd', CRASHING, '--reports', dir.path]);
    expect(run.code).toBe(1);
    const results = JSON.parse(readFileSync(path.join(dir.path, 'results.json'), 'utf8')) as ResultsFile;
    const byCase = Object.fromEntries(results.cases.map((c) => [c.case, c]));
    expect(byCase['echoes-before'].verdict).toBe('pass');
    expect(byCase['crashes-it']).toMatchObject({ verdict: 'fail', message: expect.stringMatching(/\nmeanwhile the target exited with code 3 at .*fatal: asked to crash$/) });
    for (const id of ['echoes-after', 'closed-after']) {
      expect(byCase[id]).toMatchObject({ verdict: 'fail', message: expect.stringMatching(REASON), durationMs: 0 });
    }
    // Not run: no connection was tried, so no refused connect stands in for the reason.
    expect(run.stdout).not.toMatch(/ECONNREFUSED/);
    expect(run.stdout.match(/case\(s\) after it failed without running/g)).toHaveLength(1);
    expect(run.stdout).toMatch(/^the target exited with code 3 at .*\n {2}2 case\(s\) after it failed without running$/m);
  }, 60_000);

  test("a project's own jest: the tests after the exit fail with the same reason", async () => {
    const project = tempDir();
    try {
      const { code, json, stderr } = await projectJest(project.path, SUITE, { command: { command: CRASHING } });
      expect(code).toBe(1);
      const statuses = Object.fromEntries(json.testResults[0].assertionResults.map((r) => [r.title.split(':')[0], r.status]));
      expect(statuses).toEqual({ 'echoes-before': 'passed', 'crashes-it': 'failed', 'echoes-after': 'failed', 'closed-after': 'failed' });
      expect(stderr.match(/the target exited with code 3 at \d\d:\d\d:\d\d\.\d{3} UTC; last output: \| fatal: asked to crash/g)).toHaveLength(2);
    } finally {
      project.remove();
    }
  }, 60_000);
});

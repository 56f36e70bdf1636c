import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ResultsFile } from '../harness/report/results-json';
import { ROOT, sockspec, tempDir } from './support/cli';
import { projectJest } from './support/project-jest';

/** A must case the reference echo passes and a should case it fails. */
const TOLERATED = path.join(ROOT, 'fixtures', 'verdicts', 'tolerated.suite.yaml');
/** The reference TCP echo, started by the project's jest as its own server would be. */
const REFERENCE_ECHO = `${process.execPath} ${path.join(ROOT, 'bin', 'sockspec.js')} serve echo-tcp --port {port}`;

describe('one verdict for a failed should case', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => dir.remove());

  test('sockspec run: tolerated, shown as such, exit 0; with --strict exit 1', async () => {
    const run = await sockspec(['run', '--suite', TOLERATED, '--reports', dir.path]);
    expect(run.stdout).toMatch(/^✓ tolerated\/echoes {2}A short message comes back unchanged/m);
    expect(run.stdout).toMatch(/^~ tolerated\/answers {2}A ping is answered with a pong \[should\] {2}\d+ ms {2}tolerated: a should case fails the run only with --strict\n {4}tolerated\/answers \[should\][^]*expected text "pong\\n"/m);
    expect(run.stdout).not.toMatch(/^[✓✗] tolerated\/answers/m);
    expect(run.stdout).toMatch(/^tolerated +1 +0 +1 +0 /m);
    expect(run.stdout).toMatch(/^PASS/m);
    expect(run.code).toBe(0);
    const results = JSON.parse(readFileSync(path.join(dir.path, 'results.json'), 'utf8')) as ResultsFile;
    expect(results.totals).toMatchObject({ cases: 2, passed: 1, failed: 0, tolerated: 1 });
    expect(results.cases.find((c) => c.case === 'answers')).toMatchObject({ verdict: 'fail', level: 'should' });

    const strict = await sockspec(['run', '--suite', TOLERATED, '--reports', dir.path, '--strict']);
    expect(strict.stdout).toMatch(/^✗ tolerated\/answers/m);
    expect(strict.stdout).toMatch(/^tolerated +1 +1 +0 +0 /m);
    expect(strict.code).toBe(1);
  }, 60_000);

  test("a project's own jest: the tolerated case passes its test with a warning; strict: true fails it", async () => {
    const run = await projectJest(dir.path, TOLERATED, { command: { command: REFERENCE_ECHO } });
    expect(run.json).toMatchObject({ success: true, numPassedTests: 2, numFailedTests: 0 });
    expect(run.stderr).toMatch(/tolerated \(a should case fails only with strict\): tolerated\/answers \[should\] A ping is answered with a pong/);
    expect(run.code).toBe(0);

    const strict = await projectJest(dir.path, TOLERATED, { command: { command: REFERENCE_ECHO }, strict: true });
    expect(strict.json).toMatchObject({ success: false, numPassedTests: 1, numFailedTests: 1 });
    expect(strict.json.testResults[0].assertionResults).toContainEqual(expect.objectContaining({ title: 'answers: A ping is answered with a pong [should]', status: 'failed' }));
    expect(strict.code).toBe(1);
  }, 60_000);
});

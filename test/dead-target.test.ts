import path from 'node:path';
import { ROOT, sockspec, tempDir } from './support/cli';
import { DIES_MID_RUN_SUITE as SUITE, expectExitNamed } from './support/dead-target';
import { projectJest } from './support/project-jest';

const CRASHING = `${process.execPath} ${path.join(ROOT, 'fixtures', 'hostile', 'crash-on-request.js')} {port}`;

describe('a command target that exits in the middle of a run is named', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeAll(() => (dir = tempDir()));
  afterAll(() => dir.remove());

  test('the cases after the exit fail with its one reason, the case it died in says so too, the summary once', async () => {
    expectExitNamed(await sockspec(['run', '--suite', SUITE, '--cmd', CRASHING, '--reports', dir.path]), dir.path);
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

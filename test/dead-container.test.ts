import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ResultsFile } from '../harness/report/results-json';
import { buildImage } from '../harness/containers/build-image';
import { ROOT, sockspec, tempDir } from './support/cli';
import { describeWithDocker, orphanContainers } from './support/docker';

/** Its second case makes the server exit with code 3; two cases follow. */
const SUITE = path.join(ROOT, 'fixtures', 'hostile', 'dies-mid-run.suite.yaml');
const CRASHING = path.join(ROOT, 'fixtures', 'hostile', 'crash-on-request.js');
const PORT = 7;
const REASON = /^the target exited with code 3 at \d\d:\d\d:\d\d\.\d{3} UTC; last output: \| fatal: asked to crash$/;

/** As test/dead-target.test.ts for --cmd: the same server, in a container of its own. */
describeWithDocker('a container target that exits in the middle of a run is named', () => {
  let image: string;
  let dir: ReturnType<typeof tempDir>;
  let orphansBefore: string[];

  beforeAll(async () => {
    ({ tag: image } = await buildImage({
      tag: 'sockspec/crash-on-request:local',
      binaries: [process.execPath],
      files: [{ from: CRASHING, to: '/app/crash-on-request.js' }],
      entrypoint: [process.execPath, '/app/crash-on-request.js'],
      cmd: [String(PORT), '0.0.0.0'],
    }));
    dir = tempDir();
    orphansBefore = orphanContainers();
  }, 60_000);
  afterAll(() => dir?.remove());

  test('the cases after the exit fail with its one reason, the case it died in says so too, the summary once', async () => {
    const run = await sockspec(['run', '--suite', SUITE, '--image', image, '--port', String(PORT), '--reports', dir.path]);
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
    // The exited container is removed all the same.
    expect(orphanContainers().filter((id) => !orphansBefore.includes(id))).toEqual([]);
  }, 60_000);
});

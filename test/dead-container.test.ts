import path from 'node:path';
import { buildImage } from '../harness/containers/build-image';
import { ROOT, sockspec, tempDir } from './support/cli';
import { DIES_MID_RUN_SUITE as SUITE, expectExitNamed } from './support/dead-target';
import { describeWithDocker, orphanContainers } from './support/docker';

const CRASHING = path.join(ROOT, 'fixtures', 'hostile', 'crash-on-request.js');
const PORT = 7;

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
    expectExitNamed(await sockspec(['run', '--suite', SUITE, '--image', image, '--port', String(PORT), '--reports', dir.path]), dir.path);
    // The exited container is removed all the same.
    expect(orphanContainers().filter((id) => !orphansBefore.includes(id))).toEqual([]);
  }, 60_000);
});

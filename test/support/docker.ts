import { dockerAvailable } from '../../harness/containers/runtime';

const REASON = 'no Docker engine answers `docker info` (start one with .ci/docker-up.sh)';

/**
 * `describe` for suites that need Docker. Without an engine they are skipped locally, with the
 * reason in their title, but fail on CI (CI=true), where a missing engine means a broken runner.
 */
export function describeWithDocker(name: string, body: () => void): void {
  if (dockerAvailable()) {
    describe(name, body);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      test('has a Docker engine', () => {
        throw new Error(REASON);
      });
    });
  } else {
    process.stderr.write(`${name}: skipped, ${REASON}\n`);
    describe.skip(`${name} [skipped: ${REASON}]`, body);
  }
}

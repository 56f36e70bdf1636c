import { execFileSync } from 'node:child_process';
import { dockerAvailable } from '../../harness/containers/runtime';
import { OWNER_LABEL } from '../../harness/targets/container';

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

/**
 * Containers sockspec labelled whose owner process is gone: what a run left behind. Containers of
 * live processes (other test files running at the same time) are not counted.
 */
export function orphanContainers(): string[] {
  const listing = execFileSync('docker', ['ps', '-a', '--filter', `label=${OWNER_LABEL}`, '--format', `{{.ID}} {{.Label "${OWNER_LABEL}"}}`], {
    encoding: 'utf8',
  });
  return listing
    .split('\n')
    .filter(Boolean)
    .map((line) => line.split(' '))
    .filter(([, pid]) => !isAlive(Number(pid)))
    .map(([id]) => id);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

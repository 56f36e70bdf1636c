import { execFileSync } from 'node:child_process';

/** Whether a program is on PATH. */
export function hasProgram(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v "$1"`, 'sh', name], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * `describe`, or, when a needed program is missing, a skip with a one-line reason on a developer's
 * machine and a failure in CI (CI=true), where .ci/run installs everything the tests need.
 */
export function describeWithPrograms(programs: string[], name: string, body: () => void): void {
  const missing = programs.filter((p) => !hasProgram(p));
  if (missing.length === 0) return describe(name, body);
  const reason = `${missing.join(', ')} not installed (apt-get install ${missing.join(' ')})`;
  if (process.env.CI === 'true') {
    describe(name, () => test(`needs ${missing.join(', ')}`, () => {
      throw new Error(`${reason}: required in CI`);
    }));
  } else {
    describe.skip(`${name} [skipped: ${reason}]`, body);
  }
}

import { execFileSync } from 'node:child_process';

/**
 * True when a Docker engine answers `docker info`. Synchronous on purpose: test files choose
 * between `describe` and `describe.skip` while jest collects them, before anything can be awaited.
 */
export function dockerAvailable(timeoutMs = 5_000): boolean {
  try {
    execFileSync('docker', ['info', '--format', '{{.ServerVersion}}'], { stdio: 'ignore', timeout: timeoutMs });
    return true;
  } catch {
    return false;
  }
}

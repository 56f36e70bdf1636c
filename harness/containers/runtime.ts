import { execFileSync } from 'node:child_process';

/** How long a container may take to print its ready line, unless told (--start-timeout). */
export const DEFAULT_CONTAINER_STARTUP_TIMEOUT_MS = 30_000;

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

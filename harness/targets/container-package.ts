/**
 * testcontainers is an optional peer dependency: only container targets use it, and it brings
 * ~115 packages (and, under older npm, a native build). It is loaded here, on first use, so that a
 * missing package is one clear sentence rather than a module-resolution stack trace.
 */

/** The sentence for a missing package, e.g. `--image needs the testcontainers package (...)`. */
export function needsTestcontainers(use: string): string {
  return `${use} needs the testcontainers package (npm i -D testcontainers@11)`;
}

export function testcontainersInstalled(): boolean {
  try {
    require.resolve('testcontainers');
    return true;
  } catch {
    return false;
  }
}

/** The testcontainers module; throws `needsTestcontainers(use)` when it is not installed. */
export function loadTestcontainers(use: string): typeof import('testcontainers') {
  if (!testcontainersInstalled()) throw new Error(needsTestcontainers(use));
  return require('testcontainers') as typeof import('testcontainers');
}

import { decodeUnavailable } from '../../harness/capture/tools';

/**
 * `describe` for tests that capture packets and decode them (root, tcpdump, tshark): skipped with
 * the reason on a developer's machine without them, failed in CI (CI=true), where .ci/run runs as
 * root and installs both.
 */
export function describeWithCapture(name: string, body: () => void): void {
  const missing = decodeUnavailable();
  if (!missing) return describe(name, body);
  if (process.env.CI === 'true') {
    describe(name, () => test('can capture and decode packets', () => {
      throw new Error(`${missing}: required in CI`);
    }));
  } else {
    describe.skip(`${name} [skipped: ${missing}]`, body);
  }
}

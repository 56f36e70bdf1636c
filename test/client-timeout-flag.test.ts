import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { sockspec, tempDir } from './support/cli';
import { clientTimeoutMs, timeoutSeconds } from '../harness/targets/client-command';
import { caseTimeouts } from '../harness/run/run-case';
import { bundledSuite } from './support/run-suite';

/** --client-timeout and its forms in a targets file: every mistake a one-line usage error before anything starts. */

const CLIENT = 'python3 -S fixtures/clients/timing/reference.py {host} {port} {timeout}';

function expectUsageError(result: { code: number; stdout: string; stderr: string }, words: RegExp): void {
  expect(result.code).not.toBe(0);
  expect(result.stderr).toMatch(words);
  expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
  expect(result.stdout).not.toMatch(/client-timeouts\//); // no case ran
}

test('a client timing suite without a declared timeout stops the run with a usage error', async () => {
  expectUsageError(await sockspec(['run', '--suite', 'client-timeouts', '--client', CLIENT]), /client-timeouts suite checks the client's timeout: declare it with --client-timeout T/);
});

test('--client-timeout needs its unit, a time the case can wait, and --client', async () => {
  expectUsageError(await sockspec(['run', '--suite', 'client-timeouts', '--client', CLIENT, '--client-timeout', '2']), /--client-timeout takes a duration with its unit, such as 2s or 1500ms, not "2"/);
  expectUsageError(await sockspec(['run', '--suite', 'client-timeouts', '--client', CLIENT, '--client-timeout', '10m']), /--client-timeout takes from 1ms to 300s/);
  expectUsageError(await sockspec(['run', '--suite', 'echo-tcp', '--cmd', 'x {port}', '--client-timeout', '2s']), /--client-timeout goes with --client/);
});

test('a targets file says the same of clientTimeout, at its line', async () => {
  const dir = tempDir();
  const run = (entry: string) => {
    const file = path.join(dir.path, 'targets.yaml');
    writeFileSync(file, `targets:\n  - name: mine\n${entry}`);
    return sockspec(['run', '--suite', 'client-timeouts', '--targets', file]);
  };
  try {
    const noUnit = await run(`    client: "${CLIENT}"\n    clientTimeout: "2"\n`);
    expect(noUnit.code).not.toBe(0);
    expect(noUnit.stderr).toMatch(/targets\.yaml:4:\d+: targets\[0\]\.clientTimeout/);
    const onServer = await run('    cmd: "x {port}"\n    clientTimeout: 2s\n');
    expect(onServer.code).not.toBe(0);
    expect(onServer.stderr).toMatch(/targets\.yaml:4:\d+.*clientTimeout goes with client/);
  } finally {
    dir.remove();
  }
});

test('{timeout} is the declared timeout in seconds, without a trailing .0', () => {
  expect([2000, 1500, 250, 60_000].map(timeoutSeconds)).toEqual(['2', '1.5', '0.25', '60']);
  expect([clientTimeoutMs('2s'), clientTimeoutMs('1500ms'), clientTimeoutMs('0.5s')]).toEqual([2000, 1500, 500]);
});

test('a case that needs the client timeout waits it out on top of its own time-out', () => {
  const suite = bundledSuite('client-timeouts');
  const c = suite.cases[0];
  expect(caseTimeouts(suite, c, undefined, 30_000).total).toBe(caseTimeouts(suite, c).total + 30_000);
});

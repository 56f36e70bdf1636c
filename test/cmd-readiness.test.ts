import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ResultsFile } from '../harness/report/results-json';
import { CommandTarget } from '../harness/targets/command';
import { ROOT, sockspec, tempDir } from './support/cli';

/** An echo server that listens on [::1] only and says so at once. */
const IPV6_ONLY = `${process.execPath} ${path.join(ROOT, 'fixtures', 'hostile', 'ipv6-only-echo.js')} {port}`;

/** Each test runs the CLI, which loads jest: seconds on a loaded machine. */
const CLI_TEST_MS = 60_000;

describe('a --cmd server is ready as soon as it listens, on 127.0.0.1 or ::1', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeEach(() => (dir = tempDir()));
  afterEach(() => dir.remove());

  test('a server on [::1] only is found there, and its cases connect to it', async () => {
    const target = new CommandTarget({ command: IPV6_ONLY });
    try {
      const endpoints = await target.start(['echo-tcp']);
      expect(endpoints['echo-tcp']).toMatchObject({ host: '::1', transport: 'tcp' });
    } finally {
      await target.stop();
    }
    const run = await sockspec(['run', '--suite', 'echo-tcp', '--cmd', IPV6_ONLY, '--filter', '^echo-tcp round-trip:', '--reports', dir.path]);
    expect(run.stdout).toMatch(/^✓ echo-tcp\/round-trip/m);
    expect(run.code).toBe(0);
    const results = JSON.parse(readFileSync(path.join(dir.path, 'results.json'), 'utf8')) as ResultsFile;
    expect(results.totals).toMatchObject({ cases: 1, passed: 1 });
  }, CLI_TEST_MS);

  test('a ready line with --ready-log: the address is read from where the server listens', async () => {
    const target = new CommandTarget({ command: IPV6_ONLY, readyLog: /listening on/ });
    try {
      const endpoints = await target.start(['echo-tcp']);
      expect(endpoints['echo-tcp']).toMatchObject({ host: '::1' });
    } finally {
      await target.stop();
    }
  });

  test('--host 127.0.0.1 for a server on [::1]: exit 2, saying where it does listen and what to give instead', async () => {
    const run = await sockspec(['run', '--suite', 'echo-tcp', '--cmd', IPV6_ONLY, '--host', '127.0.0.1', '--start-timeout', '1000', '--reports', dir.path]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^error: the target could not start: the command did not listen on 127\.0\.0\.1:(\d+) within 1\.0 s; it listens on \[::1\]:\1 only: connect with --host ::1$/m);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  }, CLI_TEST_MS);

  test('a server on another port than {port}: the message names where it listens', async () => {
    const elsewhere = `${process.execPath} -e "require('net').createServer().listen(0, '127.0.0.1')" {port}`;
    const run = await sockspec(['run', '--suite', 'echo-tcp', '--cmd', elsewhere, '--start-timeout', '1000', '--reports', dir.path]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/did not listen on 127\.0\.0\.1:\d+ or \[::1\]:\d+ within 1\.0 s; it listens on 127\.0\.0\.1:\d+: is \{port\} where the command takes its port\?/);
  }, CLI_TEST_MS);

  test('a targets file gives host as the flag does', async () => {
    const file = path.join(dir.path, 'targets.yaml');
    writeFileSync(file, ['targets:', '  - name: ipv6', `    cmd: "${IPV6_ONLY}"`, '    host: 127.0.0.1', '    startTimeout: 1s', ''].join('\n'));
    const run = await sockspec(['run', '--targets', file, '--suite', 'echo-tcp', '--reports', path.join(dir.path, 'r')]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/did not listen on 127\.0\.0\.1:(\d+) within 1\.0 s; it listens on \[::1\]:\1 only: connect with --host ::1$/m);
  }, CLI_TEST_MS);

  test.each([
    [['--host', '::1'], '--host goes with --cmd'],
    [['--cmd', IPV6_ONLY, '--host', '192.0.2.1'], '--host takes a loopback address (127.0.0.1, ::1, any 127.x.y.z), not "192.0.2.1"'],
  ])('usage error %j: exit 2 with one line', async (args, message) => {
    const run = await sockspec(['run', '--suite', 'echo-tcp', ...args, '--reports', dir.path]);
    expect(run.code).toBe(2);
    expect(run.stderr.trim()).toBe(`error: ${message}`);
  }, CLI_TEST_MS);
});

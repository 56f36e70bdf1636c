import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { sockspec, tempDir, type CliResult } from './support/cli';

/**
 * Suite files (and the other files sockspec reads, through the same loader) written to break it:
 * each is refused before anything runs, with one line saying where and why, exit 2, no stack trace.
 */
const HOSTILE = 'fixtures/hostile/suites';

function expectRefusal(result: CliResult, message: string): void {
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr).not.toContain('internal error');
  expect(result.stderr.split('\n')[0]).toBe(message);
  expect(result.code).toBe(2);
}

describe('a hostile suite file is refused at load, with file:line:column and exit 2', () => {
  const runs = tempDir();
  afterAll(() => runs.remove());
  const run = (suite: string, cwd?: string) => sockspec(['run', '--suite', suite, '--reports', path.join(runs.path, 'reports')], { cwd });

  test.each([
    // Numbers the engine cannot honour: Node's timers wrap past 2^31-1 ms, infinities are no size.
    ['long-sleep', '10:16: cases[0].steps[0].sleep: "40000m" is too large: at most 2147483647 ms (about 24.8 days)'],
    ['long-retry', '10:27: cases[0].steps[0].connect.retry: "99999999m" is too large: at most 2147483647 ms (about 24.8 days)'],
    ['huge-case-timeout', '5:16: defaults.caseTimeout: 9999999999 is too large: at most 2147483647 ms (about 24.8 days)'],
    ['infinite-timeout', '9:14: cases[0].timeout: must be a duration (250, "250ms", "2s", "1m"), not Infinity'],
    ['infinite-size', '11:26: cases[0].steps[1].send.counter: must be a size (1025, "64KiB", "16MiB"), not Infinity'],
    ['huge-size', '11:34: cases[0].steps[1].send.random.bytes: "2GiB" is too large: at most 1 GiB'],
    ['unknown-size-unit', '11:34: cases[0].steps[1].send.random.bytes: must be a size (1025, "64KiB", "16MiB")'],
    ['loss-over-100', '10:26: cases[0].steps[0].network.loss: must be a percentage from 0% to 100% ("20%", "0.5%")'],
    // Payloads and regexes are checked as they load, not when (and if) the case runs.
    ['bad-base64', '11:25: cases[0].steps[1].send.base64: must be a base64 text (A-Z, a-z, 0-9, + and /, padded with =)'],
    ['bad-hex', '11:22: cases[0].steps[1].send.hex: must be a hex text (two digits a byte, spaces or colons allowed between)'],
    ['bad-regex', '12:26: cases[0].steps[2].expect.regex: not a valid regex: /a(b/u: Unterminated group'],
    // The budget of a case: nested parallel and repeat multiply what their steps cost.
    [
      'ten-million-clients',
      '23:43: cases[0].steps[0].parallel.steps[0].parallel.steps[0].parallel.steps[0].parallel.steps[0].parallel: 100000 clients at once (the parallel steps around multiply); a case runs at most 10000 at once',
    ],
    ['too-many-step-runs', '15:17: cases[0].steps[0].parallel.steps[1].repeat: its steps would run 10000000 times (nested parallel and repeat multiply); a case runs a step at most 1000000 times'],
    ['too-many-connections', '13:24: cases[0].steps[0].repeat.steps[0].connect: the case opens 20000 connections by here (nested parallel and repeat multiply); a case opens at most 10000'],
    ['too-many-bytes', '14:21: cases[0].steps[0].parallel.steps[1].send: the case sends 5 GiB by here (nested parallel and repeat multiply); a case sends at most 4 GiB'],
    // YAML is data only.
    ['alias-before-anchor', '10:18: YAML: alias *base refers to no anchor &base before it'],
    ['alias-bomb', '6:10: YAML: the aliases expand too far (an alias bomb?); a suite is plain data, its aliases few'],
    ['custom-tag', '11:23: YAML: tag !custom is not allowed: a suite is plain data, without tags'],
    ['python-tag', '11:49: YAML: tag !!python/object:os.system is not allowed: a suite is plain data, without tags'],
    ['duplicate-key', '11:28: YAML syntax: Map keys must be unique'],
    ['latin1', '11:27: not UTF-8 text: a suite is UTF-8 text'],
    ['binary', '11:25: a binary file (a NUL byte), not a suite: a suite is UTF-8 text'],
  ])('%s', async (name, problem) => {
    const file = `${HOSTILE}/${name}.suite.yaml`;
    expectRefusal(await run(file), `error: malformed suite: ${file}:${problem}`);
  }, 30_000);

  test('a 20 MiB suite file is refused by its size, before it is read', async () => {
    writeFileSync(path.join(runs.path, 'huge.suite.yaml'), `suite: huge\n${'# padding\n'.repeat(2 * 1024 * 1024)}`);
    const result = await run('huge.suite.yaml', runs.path);
    expectRefusal(result, 'error: malformed suite: huge.suite.yaml:1:1: too large: 20971532 bytes; a suite is at most 1 MiB (1048576 bytes)');
  }, 30_000);

  test('a chat profile goes through the same checks', async () => {
    writeFileSync(path.join(runs.path, 'tagged.profile.yaml'), 'profile: tagged\ntitle: T\njoin: []\nvars: { message: !custom "x" }\n');
    const result = await sockspec(['run', '--suite', 'chat-relay', '--profile', './tagged.profile.yaml', '--reports', 'reports'], { cwd: runs.path });
    expectRefusal(result, 'error: --profile ./tagged.profile.yaml: tagged.profile.yaml:4:26: YAML: tag !custom is not allowed: a profile is plain data, without tags');
  }, 30_000);

  test('a targets file goes through the same checks', async () => {
    writeFileSync(path.join(runs.path, 'tagged.targets.yaml'), 'targets:\n  - name: a\n    target: !custom builtin\n');
    const result = await sockspec(['run', '--targets', 'tagged.targets.yaml', '--reports', 'reports'], { cwd: runs.path });
    expectRefusal(result, 'error: malformed targets file: tagged.targets.yaml:3:21: YAML: tag !custom is not allowed: a targets file is plain data, without tags');
  }, 30_000);
});

describe('--suite given something that is no file says what it is, without reading or waiting on it', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  test.each([
    ['a directory', () => {
      const folder = path.join(dir.path, 'folder');
      mkdirSync(folder);
      return folder;
    }],
    ['a FIFO (named pipe)', () => {
      const fifo = path.join(dir.path, 'pipe.suite.yaml');
      execFileSync('mkfifo', [fifo]);
      return fifo;
    }],
    ['a character device', () => '/dev/zero'],
  ])('%s', async (what, make) => {
    const target = make();
    const result = await sockspec(['run', '--suite', target, '--reports', path.join(dir.path, 'reports')]);
    expectRefusal(result, `error: --suite ${target}: ${what}, not a suite file`);
  }, 30_000);

  test('a FIFO given as a targets file is named, not waited on', async () => {
    execFileSync('mkfifo', [path.join(dir.path, 'pipe.targets.yaml')]);
    const result = await sockspec(['run', '--targets', 'pipe.targets.yaml', '--reports', 'reports'], { cwd: dir.path });
    expectRefusal(result, 'error: malformed targets file: pipe.targets.yaml:1:1: cannot read the targets file: a FIFO (named pipe), not a file');
  }, 30_000);
});

describe('durations on the command line are bounded too', () => {
  test.each([['--idle-timeout', '40000m'], ['--step-timeout', '9999999999']])('%s %s', async (flag, value) => {
    const result = await sockspec(['run', '--suite', 'echo-tcp', '--cmd', 'true {port}', flag, value]);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stderr).toMatch(new RegExp(`^error: ${flag} takes .*, not "${value}"$`, 'm'));
    expect(result.code).toBe(2);
  }, 30_000);
});

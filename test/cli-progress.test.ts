import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ResultsFile } from '../harness/report/results-json';
import { startEchoTcp } from '../harness/servers/echo-tcp';
import { ROOT, sockspec, tempDir } from './support/cli';
import { projectJest } from './support/project-jest';

const BIN = path.join(ROOT, 'bin', 'sockspec.js');
/** One case any echo passes, two that need a declared idle timeout (idle-a, idle-b). */
const SKIPS = path.join(ROOT, 'fixtures', 'verdicts', 'skips.suite.yaml');
const REFERENCE_ECHO = `${process.execPath} ${BIN} serve echo-tcp --port {port}`;
const FLAKY = `python3 ${path.join(ROOT, 'fixtures', 'peers', 'flaky-echo.py')} {port}`;
const RECV_ONCE = `python3 ${path.join(ROOT, 'fixtures', 'peers', 'recv-once-server.py')} {port}`;
const IDLE_REASON = 'needs the idle timeout the server declares (--idle-timeout on the command line, idleTimeoutMs in sockspec.config.json, idleTimeout in a targets file)';

function results(dir: string): ResultsFile {
  return JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as ResultsFile;
}

describe('progress lines', () => {
  let reports: ReturnType<typeof tempDir>;
  beforeEach(() => (reports = tempDir()));
  afterEach(() => reports.remove());

  test('a skipped case: its reason on its line, not in its name; those --filter leaves out are not part of the run', async () => {
    const run = await sockspec(['run', '--suite', SKIPS, '--cmd', REFERENCE_ECHO, '--filter', 'skips (echoes|idle-a):', '--reports', reports.path]);
    expect(run.stdout).toContain(`- skips/idle-a  An idle connection is closed by the declared idle timeout  [skipped: ${IDLE_REASON}]\n`);
    expect(run.stdout).not.toContain('skips/idle-b');
    const cases = results(reports.path).cases.sort((a, b) => a.case.localeCompare(b.case));
    expect(cases.map((c) => [c.case, c.verdict, c.reason])).toEqual([
      ['echoes', 'pass', undefined],
      ['idle-a', 'skip', IDLE_REASON],
    ]);
    expect(run.code).toBe(0);
  }, 60_000);

  test("under a project's own jest a skipped case keeps its plain name, and jest's output gives the reason", async () => {
    const run = await projectJest(reports.path, SKIPS, { command: { command: REFERENCE_ECHO } });
    expect(run.json.testResults[0].assertionResults.map((r) => [r.title, r.status])).toEqual([
      ['echoes: A short message comes back unchanged', 'passed'],
      ['idle-a: An idle connection is closed by the declared idle timeout', 'pending'],
      ['idle-b: Another idle connection is closed by the declared idle timeout', 'pending'],
    ]);
    expect(run.stderr).toContain(`skips: 2 case(s) skipped:\n      idle-a: ${IDLE_REASON}\n      idle-b: ${IDLE_REASON}`);
    expect(run.code).toBe(0);
  }, 60_000);

  test('--retries: a failed attempt that will be retried says so, and the last line says how it ended', async () => {
    const flaky = await sockspec(['run', '--suite', 'echo-tcp', '--filter', 'echo-tcp round-trip:', '--cmd', FLAKY, '--ready-log', 'listening', '--retries', '2', '--reports', reports.path]);
    expect(flaky.stdout).toMatch(/^↻ echo-tcp\/round-trip {2}A short message comes back unchanged {2}\d+ ms {2}failed attempt 1 of 3, will retry\n/m);
    expect(flaky.stdout).toMatch(/^✓ echo-tcp\/round-trip {2}.* {2}flaky: passed on attempt 2 of 3$/m);
    expect(flaky.stdout).not.toMatch(/^✗/m);
    expect(flaky.code).toBe(0);

    const failing = await sockspec(['run', '--suite', 'echo-tcp', '--filter', 'echo-tcp size-1025:', '--cmd', RECV_ONCE, '--retries', '1', '--reports', reports.path]);
    expect(failing.stdout).toMatch(/^↻ echo-tcp\/size-1025 .* {2}failed attempt 1 of 2, will retry\n {4}echo-tcp\/size-1025 /m);
    expect(failing.stdout).toMatch(/^✗ echo-tcp\/size-1025 .* {2}failed all 2 attempts\n/m);
    expect(failing.code).toBe(1);
  }, 60_000);
});

describe('no case ran', () => {
  let reports: ReturnType<typeof tempDir>;
  beforeEach(() => (reports = tempDir()));
  afterEach(() => reports.remove());

  test('a --filter that matches nothing: exit 2 naming the filter', async () => {
    const run = await sockspec(['run', '--suite', SKIPS, '--filter', 'no such case', '--reports', reports.path]);
    expect(run.stderr).toMatch(/^error: no case ran: --filter matched no case\n/);
    expect(run.code).toBe(2);
  });

  test('every case the filter matched was skipped: said so, exit 0', async () => {
    const run = await sockspec(['run', '--suite', SKIPS, '--cmd', REFERENCE_ECHO, '--filter', 'skips idle', '--reports', reports.path]);
    expect(run.stdout).toContain('no case ran: every case --filter matched was skipped (the reasons are above)');
    expect(run.code).toBe(0);
  }, 60_000);

  test('no --filter, every case skipped: the reason is the skips, not a filter', async () => {
    const server = await startEchoTcp();
    try {
      const run = await sockspec(['run', '--suite', 'network', '--target', `tcp://127.0.0.1:${server.port}`, '--reports', reports.path]);
      expect(run.stdout).toContain('no case ran: every case was skipped (the reasons are above)');
      expect(`${run.stdout}${run.stderr}`).not.toContain('--filter');
      expect(run.code).toBe(0);
    } finally {
      await server.close();
    }
  }, 60_000);
});

describe('terminal output', () => {
  let reports: ReturnType<typeof tempDir>;
  beforeEach(() => (reports = tempDir()));
  afterEach(() => reports.remove());

  const run = (env: NodeJS.ProcessEnv) => sockspec(['run', '--suite', 'echo-udp', '--filter', 'echo-udp size-0:', '--reports', reports.path], { env });
  const GREEN_PASS = '\u001b[32m✓\u001b[39m echo-udp/size-0';

  test('colours: off into a pipe and with NO_COLOR; FORCE_COLOR turns them on, FORCE_COLOR=0 off', async () => {
    expect((await run({ NO_COLOR: '', FORCE_COLOR: undefined })).stdout).toMatch(/^✓ echo-udp\/size-0/m);
    expect((await run({ NO_COLOR: '', FORCE_COLOR: '1' })).stdout).toContain(GREEN_PASS);
    expect((await run({ NO_COLOR: '1', FORCE_COLOR: '1' })).stdout).toContain(GREEN_PASS);
    expect((await run({ NO_COLOR: '', FORCE_COLOR: '0' })).stdout).not.toContain('\u001b[');
    expect((await run({ NO_COLOR: '1', FORCE_COLOR: undefined })).stdout).not.toContain('\u001b[');
  }, 60_000);

  test("on a terminal, jest's \"Determining test suites to run...\" is erased before the first case line", async () => {
    // script(1) gives the CLI a terminal; jest writes the message only on one, and not on CI.
    const command = `${process.execPath} ${BIN} run --suite echo-udp --filter 'echo-udp size-0:' --reports ${reports.path}`;
    const raw = await new Promise<string>((resolve, reject) =>
      execFile('script', ['-qec', command, '/dev/null'], { env: { ...process.env, CI: 'false', TERM: 'xterm' } }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
    );
    expect(raw).toContain('Determining test suites to run...');
    // What the terminal shows: each line from its last erase (cursor to column 0, erase the line).
    const shown = raw.split(/\r?\n/).map((line) => line.split(/\r\u001b\[K|\u001b\[999D\u001b\[K/).pop() ?? '');
    expect(shown.filter((line) => line.includes('Determining'))).toEqual([]);
    expect(shown).toContainEqual(expect.stringMatching(/^(\u001b\[\d+m)*✓(\u001b\[\d+m)* echo-udp\/size-0/));
  }, 60_000);
});

describe('help and version', () => {
  test.each(['run', 'list', 'serve', 'schema', 'certs', 'merge'])('%s --help and -h: exit 0 with its usage', async (command) => {
    for (const flag of ['--help', '-h']) {
      const result = await sockspec([command, flag]);
      expect(result.stdout).toMatch(new RegExp(`^Usage: sockspec ${command}`));
      expect(result.code).toBe(0);
    }
  });

  test('-v and --version print the version', async () => {
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    for (const flag of ['-v', '--version']) expect(await sockspec([flag])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });
});

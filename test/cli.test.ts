import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { failedCases, passedCases, ROOT, sockspec, tempDir } from './support/cli';

const MALFORMED = path.join(ROOT, 'fixtures', 'suites', 'malformed');
const RECV_ONCE = path.join(ROOT, 'fixtures', 'peers', 'recv-once-server.py');

// Every test here starts the CLI, which loads and checks the suites before it says anything: about
// 2 s of CPU, more than jest's 5 s default on a machine loaded by other jobs.
jest.setTimeout(30_000);

describe('sockspec run', () => {
  let reports: ReturnType<typeof tempDir>;
  beforeEach(() => (reports = tempDir()));
  afterEach(() => reports.remove());

  test('all suites against the builtin servers: exit 0, JUnit with one testsuite per suite', async () => {
    const result = await sockspec(['run', '--reports', reports.path]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^PASS/m);
    const junit = readFileSync(path.join(reports.path, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testsuite name="echo-tcp"/);
    expect(junit).toMatch(/<testsuite name="echo-udp"/);
    expect(junit).toMatch(/<testcase classname="echo-tcp" name="round-trip: A short message comes back unchanged"/);
    expect(junit).not.toMatch(/<failure/);
  }, 60_000);

  test('a server that reads once and closes: exit 1, each catching case shows what arrived', async () => {
    const mustCatch = ['size-1025', 'size-64k', 'size-1m', 'size-16m', 'one-byte-writes', 'pipelined-writes', 'utf8-split', 'half-close', 'concurrent-clients'];
    // These cases only: the rest of the suite (its wire checks wait out their timeouts against this server) is the mutant tests' job.
    const only = `^echo-tcp (${[...mustCatch, 'round-trip', 'size-1', 'size-1024'].join('|')}):`;
    const result = await sockspec(['run', '--suite', 'echo-tcp', '--filter', only, '--cmd', `python3 ${RECV_ONCE} {port}`, '--reports', reports.path]);
    expect(result.code).toBe(1);
    const failed = failedCases(result.stdout, 'echo-tcp');
    expect(failed).toEqual(expect.arrayContaining(mustCatch));
    expect(passedCases(result.stdout, 'echo-tcp')).toEqual(expect.arrayContaining(['round-trip', 'size-1', 'size-1024']));
    expect(result.stdout).toContain('expected 1025 B (random 1025 B');
    expect(result.stdout).toMatch(/received 1 KiB then the peer closed the connection \(FIN\)/);
    expect(result.stdout).toMatch(/next expected @1024: /);
    const junit = readFileSync(path.join(reports.path, 'junit.xml'), 'utf8');
    for (const id of mustCatch) expect(junit).toMatch(new RegExp(`name="${id}: [^"]*"[^>]*>\\s*<failure`));
    expect(junit).toContain('requirement (RFC 862)');
  }, 60_000);

  test('a malformed suite: exit 2, file:line:column and the rule, no stack trace, no report', async () => {
    const result = await sockspec(['run', '--suite', path.join(MALFORMED, 'unknown-step.suite.yaml'), '--reports', reports.path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown-step\.suite\.yaml:11:9: cases\[0\]\.steps\[1\]: unknown step "sned"/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(path.join(reports.path, 'junit.xml'))).toBe(false);
  });

  test('a command that exits at once: exit 2 with the reason and its last output lines', async () => {
    const result = await sockspec(['run', '--suite', 'echo-tcp', '--cmd', 'python3 -c "import sys; print(\'port {port} is not for me\'); sys.exit(3)"']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/the target could not start: the command exited \(code 3\) before it would listen/);
    expect(result.stderr).toMatch(/\| port \d+ is not for me/);
  });

  test('a command that never listens: exit 2 after --start-timeout', async () => {
    const began = Date.now();
    const result = await sockspec(['run', '--suite', 'echo-tcp', '--cmd', 'sleep 30 {port}', '--start-timeout', '700']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/did not listen on 127\.0\.0\.1:\d+ or \[::1\]:\d+ within 0\.7 s/);
    expect(Date.now() - began).toBeLessThan(10_000);
  });

  test('a program that does not exist: exit 2 naming it', async () => {
    const result = await sockspec(['run', '--suite', 'echo-tcp', '--cmd', 'no-such-server-program {port}']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/could not start no-such-server-program: ENOENT/);
  });

  test('an address target speaking the wrong transport: exit 2', async () => {
    const result = await sockspec(['run', '--suite', 'echo-udp', '--target', 'tcp://127.0.0.1:7']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/echo-udp service needs udp, but the target is tcp:\/\/127\.0\.0\.1:7/);
  });

  test.each([
    [['run', '--bogus'], /Unknown option '--bogus'/],
    [['run', '--suite', 'nope'], /no suite named "nope"/],
    [['run', '--target', 'http://x'], /not a target address/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['serve', 'gopher'], /unknown service "gopher"/],
  ])('usage error %j: exit 2 with a one-line reason', async (args, message) => {
    const result = await sockspec(args as string[]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('sockspec list, serve, schema', () => {
  test('list shows every case with its level and reference', async () => {
    const result = await sockspec(['list', '--suite', 'echo-udp']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^echo-udp: UDP Echo Service \(RFC 862\)/m);
    expect(result.stdout).toMatch(/burst-1000\s+info\s+RFC 768/);
  });

  test('serve runs a reference server that the suite passes through --target', async () => {
    const { spawn } = await import('node:child_process');
    const server = spawn(process.execPath, [path.join(ROOT, 'bin', 'sockspec.js'), 'serve', 'echo-tcp', '--port', '0']);
    try {
      const port = await new Promise<number>((resolve, reject) => {
        server.stdout.on('data', (chunk: Buffer) => {
          const match = /listening on 127\.0\.0\.1:(\d+)/.exec(chunk.toString());
          if (match) resolve(Number(match[1]));
        });
        server.on('exit', () => reject(new Error('serve exited')));
      });
      const reports = tempDir();
      const result = await sockspec(['run', '--suite', 'echo-tcp', '--target', `tcp://127.0.0.1:${port}`, '--reports', reports.path]);
      reports.remove();
      expect(result.code).toBe(0);
    } finally {
      server.kill('SIGTERM');
    }
  }, 60_000);

  test('schema prints the JSON Schema', async () => {
    const result = await sockspec(['schema']);
    expect(JSON.parse(result.stdout).title).toBe('sockspec suite');
  });
});

import { spawn } from 'node:child_process';
import path from 'node:path';
import { socatImage } from '../harness/containers/images';
import { type CliResult, expectFailedCases, failedCases, ROOT, sockspec, tempDir } from './support/cli';
import { describeWithDocker, orphanContainers } from './support/docker';

// The first run builds the reference image (~10 s); later runs find it up to date.
const FIRST_RUN_TIMEOUT_MS = 60_000;
const RUN_TIMEOUT_MS = 30_000;

/** `sockspec run ARGS` with a temporary reports folder. */
async function run(args: string[]): Promise<CliResult> {
  const reports = tempDir();
  try {
    return await sockspec(['run', ...args, '--reports', reports.path]);
  } finally {
    reports.remove();
  }
}

/**
 * Starts a run, sends SIGINT once the target is up (the run has printed its header line), and
 * resolves with the exit code. sockspec() cannot be used: the test needs the process to signal.
 */
async function interruptedRun(args: string[]): Promise<number | null> {
  const reports = tempDir();
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'sockspec.js'), 'run', ...args, '--reports', reports.path], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    if (text.includes('suite(s) against')) child.kill('SIGINT');
  });
  try {
    return await new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  } finally {
    reports.remove();
  }
}

describeWithDocker('sockspec run against containers', () => {
  let socat: string;
  let orphansBefore: string[];

  beforeAll(async () => {
    socat = (await socatImage()).image;
    orphansBefore = orphanContainers();
  }, FIRST_RUN_TIMEOUT_MS);

  test('--target container: echo-tcp passes against the reference server in a container', async () => {
    const result = await run(['--suite', 'echo-tcp', '--target', 'container']);
    expect(result.stdout).toContain('against container: sockspec/reference:local');
    expectFailedCases(result, 'echo-tcp', []);
    expect(result.code).toBe(0);
  }, FIRST_RUN_TIMEOUT_MS);

  test('--target container: echo-udp passes, zero-length datagrams included (no Docker proxy in between)', async () => {
    const result = await run(['--suite', 'echo-udp', '--target', 'container']);
    expectFailedCases(result, 'echo-udp', []);
    expect(result.code).toBe(0);
  }, RUN_TIMEOUT_MS);

  test('--target container: the TLS servers present the run\'s CA and declare SNI and ALPN (nothing skipped)', async () => {
    const result = await run(['--suite', 'tls', '--suite', 'tls-mtls', '--target', 'container']);
    expectFailedCases(result, 'tls', []);
    expectFailedCases(result, 'tls-mtls', []);
    expect(result.stdout).not.toMatch(/^- /m); // a skipped case's progress line
    expect(result.code).toBe(0);
  }, RUN_TIMEOUT_MS);

  // As in test/peers.test.ts: socat's accept backlog is 5, so connect-burst (should) fails every
  // time, and its PIPE echo can deadlock on a full-duplex stream, so streaming-16m (should) fails
  // in some runs. Neither fails the run.
  test('--image socat --port 7: every required echo-tcp case passes; connect-burst fails (backlog 5)', async () => {
    const result = await run(['--suite', 'echo-tcp', '--image', socat, '--port', '7']);
    const streaming = failedCases(result.stdout, 'echo-tcp').includes('streaming-16m') ? ['streaming-16m'] : [];
    expectFailedCases(result, 'echo-tcp', ['connect-burst', ...streaming]);
    expect(result.code).toBe(0);
  }, RUN_TIMEOUT_MS);

  test('a failed run prints the container\'s last output lines after the summary', async () => {
    const result = await run(['--strict', '--suite', 'echo-tcp', '--filter', 'connect-burst', '--image', socat, '--port', '7']);
    expect(result.code).toBe(1);
    const summary = result.stdout.indexOf('suite ');
    const output = result.stdout.indexOf(`server output (last`);
    expect(summary).toBeGreaterThan(-1);
    expect(output).toBeGreaterThan(summary);
    expect(result.stdout.slice(output)).toMatch(/^ {2}\| .* socat\[\d+\] [NW] /m);
  }, RUN_TIMEOUT_MS);

  test('Ctrl-C during the run: exit 130, the container is removed', async () => {
    const code = await interruptedRun(['--suite', 'echo-tcp', '--image', socat, '--port', '7']);
    expect(code).toBe(130);
    expect(orphanContainers()).toEqual(orphansBefore);
  }, RUN_TIMEOUT_MS);

  test('leaves no container behind', () => {
    expect(orphanContainers()).toEqual(orphansBefore);
  });
});

describe('sockspec run with container flags, no engine needed', () => {
  test.each([
    [['--suite', 'echo-udp', '--image', 'any', '--port', '7'], /the echo-udp suite needs a UDP port: add --udp-port N/],
    [['--suite', 'echo-tcp', '--image', 'any', '--port', '0'], /--port takes 1-65535, not "0"/],
    [['--suite', 'echo-tcp', '--image', 'any', '--port', '7', '--env', 'NO_VALUE'], /--env takes NAME=VALUE, not "NO_VALUE"/],
    [['--cmd', 'server {port}', '--port', '7'], /--port, --udp-port and --env go with --image/],
    [['--image', 'any', '--target', 'container'], /give one of --target, --cmd and --image/],
    [['--target', 'container', '--ready-log', 'up'], /--ready-log and --start-timeout go with --cmd or --image/],
  ])('usage error %j: exit 2 with one line', async (args, message) => {
    const result = await sockspec(['run', ...(args as string[])]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  describe('with no engine reachable', () => {
    const saved = process.env.DOCKER_HOST;
    beforeAll(() => (process.env.DOCKER_HOST = 'unix:///nonexistent/docker.sock'));
    afterAll(() => (saved === undefined ? delete process.env.DOCKER_HOST : (process.env.DOCKER_HOST = saved)));

    test('--target container: exit 2 with a one-line reason', async () => {
      const result = await sockspec(['run', '--suite', 'echo-tcp', '--target', 'container']);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe('error: the target could not start: no container runtime: start Docker (see docs/containers.md) or use the builtin target\n');
    });

    test('the builtin target does not need one', async () => {
      const result = await run(['--suite', 'echo-tcp', '--filter', 'round-trip']);
      expect(result.code).toBe(0);
    });
  });
});

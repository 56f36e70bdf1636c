import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { MatrixFile } from '../harness/report/matrix';
import { entryFlags, loadTargetsFile } from '../harness/cli/targets-file';
import { ROOT, sockspec, tempDir } from './support/cli';
import { describeWithPrograms } from './support/tools';

const RECV_ONCE = path.join(ROOT, 'fixtures', 'peers', 'recv-once-server.py');
const PYTHON_ECHO = path.join(ROOT, 'fixtures', 'peers', 'python-echo.py');
/** Few cases, so the matrix runs in seconds: recv-once fails size-1025 and half-close, passes size-0. */
const CASES = ['--suite', 'echo-tcp', '--filter', 'size-0|size-1025|half-close'];

function targetsFile(dir: string, yaml: string): string {
  const file = path.join(dir, 'sockspec.targets.yaml');
  writeFileSync(file, yaml);
  return file;
}

describe('sockspec run --targets FILE', () => {
  test('several targets: each runs with its own reports, then one case x target matrix', async () => {
    const dir = tempDir();
    const file = targetsFile(
      dir.path,
      ['targets:', '  - name: reference', '    target: builtin', '  - name: recv-once', `    cmd: "python3 ${RECV_ONCE} {port}"`, '    suites: [echo-tcp, echo-udp]', ''].join('\n'),
    );
    const reports = path.join(dir.path, 'reports');
    const result = await sockspec(['run', '--targets', file, ...CASES, '--reports', reports]);
    try {
      expect(result.stdout).toMatch(/^echo-tcp\/size-1025\s+pass\s+FAIL$/m);
      expect(result.stdout).toMatch(/^echo-tcp\/size-0\s+pass\s+pass$/m);
      expect(result.stdout).toContain('3 cases on 2 targets; 2 case(s) differ between targets');
      expect(result.code).toBe(1);
      const matrix = JSON.parse(readFileSync(path.join(reports, 'matrix.json'), 'utf8')) as MatrixFile;
      expect(matrix.targets.map((t) => [t.name, t.exitCode])).toEqual([['reference', 0], ['recv-once', 1]]);
      expect(Object.fromEntries(matrix.rows.map((r) => [r.id, r.cells]))).toEqual({
        'echo-tcp/size-0': ['pass', 'pass'],
        'echo-tcp/size-1025': ['pass', 'fail'],
        'echo-tcp/half-close': ['pass', 'fail'],
      });
      for (const name of ['reference', 'recv-once']) {
        expect(existsSync(path.join(reports, name, 'results.json'))).toBe(true);
        expect(existsSync(path.join(reports, name, 'index.html'))).toBe(true);
      }
      const junit = readFileSync(path.join(reports, 'junit.xml'), 'utf8');
      expect(junit).toContain('<testsuite name="reference/echo-tcp"');
      expect(junit).toContain('<testsuite name="recv-once/echo-tcp"');
      expect(junit).toMatch(/<testsuites name="sockspec" tests="\d+" failures="2" errors="0"/);
      expect(readFileSync(path.join(reports, 'index.html'), 'utf8')).toContain('sockspec matrix');
    } finally {
      dir.remove();
    }
  }, 60_000);

  test('a target that will not start gets a column saying why; the others still run (exit 2)', async () => {
    const dir = tempDir();
    const file = targetsFile(dir.path, ['targets:', '  - name: reference', '    target: builtin', '  - name: crashes', '    cmd: "python3 -c \'raise SystemExit(3)\' {port}"', ''].join('\n'));
    const result = await sockspec(['run', '--targets', file, '--suite', 'echo-tcp', '--filter', 'size-0', '--reports', path.join(dir.path, 'r')]);
    dir.remove();
    expect(result.stdout).toMatch(/^echo-tcp\/size-0\s+pass\s+-$/m);
    expect(result.stdout).toContain('crashes: no results (exit code 2)');
    expect(result.stdout).toContain('the command exited (code 3)');
    expect(result.code).toBe(2);
  }, 60_000);

  test('one target in the file is a plain run of it; --only picks one of several', async () => {
    const dir = tempDir();
    const file = targetsFile(dir.path, ['targets:', '  - name: reference', '    target: builtin', '  - name: recv-once', `    cmd: "python3 ${RECV_ONCE} {port}"`, ''].join('\n'));
    const result = await sockspec(['run', '--targets', file, '--only', 'recv-once', ...CASES, '--reports', path.join(dir.path, 'r')]);
    dir.remove();
    expect(result.stdout).toContain(`1 suite(s) against command: python3 ${RECV_ONCE} {port}`);
    expect(result.stdout).not.toContain('matrix');
    expect(result.code).toBe(1);
  }, 60_000);

  test.each([
    [['targets:', '  - name: a', '    target: builtin', '    cmd: "x {port}"'], 'targets file: file.yaml:2:5: targets[0]: give only one of target, cmd, image, client; found target and cmd'],
    [['targets:', '  - name: a', '    cmd: "x {port}"', '    port: 7'], 'targets file: file.yaml:4:11: targets[0].port: port goes with image'],
    [['targets:', '  - name: a', '    target: builtin', '  - name: a', '    target: builtin'], 'targets file: file.yaml:4:11: targets[1].name: "a" is already the name of targets[0]'],
    [['targets:', '  - name: a', '    image: x', '    services: { echo-tcp: 70000 }'], 'targets file: file.yaml:4:27: targets[0].services.echo-tcp: must be <= 65535'],
    [['targets:', '  - name: a', '    target: builtin', '    host: "::1"'], 'targets file: file.yaml:4:11: targets[0].host: host goes with cmd'],
    [['targets:', '  - name: a', '    cmd: "x {port}"', '    startTimeout: 0s'], 'targets file: file.yaml:4:19: targets[0].startTimeout: must be more than 0'],
    [['targets:', '  - name: a', '    target: builtin', '    profile: nope'], 'targets file: file.yaml:4:14: targets[0].profile: no chat profile "nope" (profiles: ncat-chat, sockspec-chat; or a .profile.yaml file)'],
    [
      ['targets:', '  - name: a', '    cmd: "x {port}"', '    idleTimout: 2s', '  - name: b', '    image: x', '    services: { echo-tpc: 7 }', '  - name: c', '    target: builtin', '    alpn: h2'],
      [
        'targets file: file.yaml:4:5: targets[0]: unknown field "idleTimout" (did you mean "idleTimeout"?)',
        '  file.yaml:7:17: targets[1].services: unknown field "echo-tpc" (did you mean "echo-tcp"?)',
        '  file.yaml:10:11: targets[2].alpn: must be an array',
      ].join('\n'),
    ],
    [
      ['targets:', '  - name: a', '    cmd: "x {port}"', '    port: 7', '  - name: a', '    target: builtin', '    readyLog: x'],
      [
        'targets file: file.yaml:4:11: targets[0].port: port goes with image',
        '  file.yaml:5:11: targets[1].name: "a" is already the name of targets[0]',
        '  file.yaml:7:15: targets[1].readyLog: readyLog and startTimeout go with cmd or image',
      ].join('\n'),
    ],
  ])('a malformed targets file is reported with line and column, every problem, and nothing runs (exit 2)', async (lines, message) => {
    const dir = tempDir();
    writeFileSync(path.join(dir.path, 'file.yaml'), `${lines.join('\n')}\n`);
    const result = await sockspec(['run', '--targets', 'file.yaml', '--reports', 'r'], { cwd: dir.path });
    const ran = existsSync(path.join(dir.path, 'r'));
    dir.remove();
    expect(result.stderr).toBe(`error: malformed ${message}\n`);
    expect(result.code).toBe(2);
    expect(ran).toBe(false);
  });

  test('a target\'s profile is the chat-relay profile its run uses; a profile file is found next to the targets file', async () => {
    const dir = tempDir();
    const file = targetsFile(dir.path, ['targets:', '  - name: a', '    target: builtin', '    profile: ncat-chat', '  - name: b', '    target: builtin', '    profile: mine.profile.yaml', ''].join('\n'));
    copyFileSync(path.join(ROOT, 'suites', 'profiles', 'ncat-chat.profile.yaml'), path.join(dir.path, 'mine.profile.yaml'));
    const result = await sockspec(['run', '--targets', file, '--suite', 'chat-relay', '--filter', 'relay-fan-out:', '--reports', path.join(dir.path, 'r')]);
    dir.remove();
    // The builtin chat server speaks the sockspec protocol, not ncat's: the join exchange fails, under the target's profile.
    expect(result.stdout.match(/join exchange of profile ncat-chat, line 1/g)).toHaveLength(2);
    expect(result.stdout).toMatch(/^chat-relay\/relay-fan-out\s+FAIL\s+FAIL$/m);
    expect(result.code).toBe(1);
  }, 60_000);

  test('Ctrl-C stops the running target, cleans up and starts no other: exit 130', async () => {
    const dir = tempDir();
    const marker = `sockspec-matrix-interrupt-${process.pid}`;
    const file = targetsFile(dir.path, ['targets:', '  - name: python', `    cmd: "python3 ${PYTHON_ECHO} tcp {port} ${marker}"`, '  - name: reference', '    target: builtin', ''].join('\n'));
    // A temporary folder of its own: the run's outcome files must be gone from it afterwards.
    const tmp = path.join(dir.path, 'tmp');
    mkdirSync(tmp);
    // In a process group of its own, signalled as a terminal does: the whole group at once.
    const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'sockspec.js'), 'run', '--targets', file, '--suite', 'echo-tcp', '--reports', path.join(dir.path, 'r')], {
      stdio: ['ignore', 'pipe', 'ignore'],
      detached: true,
      env: { ...process.env, TMPDIR: tmp },
    });
    let stdout = '';
    let sent = false;
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      if (/^✓ echo-tcp\//m.test(stdout) && !sent) {
        sent = true;
        process.kill(-(child.pid as number), 'SIGINT');
      }
    });
    const code = await new Promise((resolve) => child.once('exit', resolve));
    // jest keeps its transform cache there (jest_0), and sockspec the bundled suites it checked
    // (sockspec-suites-UID, docs/suite-format.md), on purpose: each is a cache, not the run's leftover.
    const left = readdirSync(tmp).filter((name) => !name.startsWith('jest_') && !name.startsWith('sockspec-suites-'));
    dir.remove();
    expect(code).toBe(130);
    expect(stdout).not.toContain('target 2/2');
    expect(left).toEqual([]);
    expect(spawnSync('pgrep', ['-f', marker]).status).toBe(1); // no process matched: the server is gone
  }, 60_000);

  test('strict: the file\'s applies to every target that does not say otherwise; --strict makes every target strict', () => {
    const dir = tempDir();
    const file = targetsFile(dir.path, ['strict: true', 'targets:', '  - name: a', '    target: builtin', '  - name: b', '    target: builtin', '    strict: false', ''].join('\n'));
    const entries = loadTargetsFile(file);
    dir.remove();
    expect(entries.map((entry) => entryFlags(entry, { strict: false }).strict)).toEqual([true, false]);
    expect(entries.map((entry) => entryFlags(entry, { strict: true }).strict)).toEqual([true, true]);
  });

  test('a strict target fails its run on a failed should case; the others tolerate it', async () => {
    const dir = tempDir();
    // One `should` case the reference echo fails: it expects a reply it never sends.
    const suite = path.join(dir.path, 'should.suite.yaml');
    writeFileSync(suite, ['suite: should-only', 'title: t', 'service: echo-tcp', 'cases:', '  - id: wrong-reply', '    title: t', '    requirement: r', '    ref: none', '    level: should', '    steps:', '      - connect:', '      - send: { text: "hi" }', '      - expect: { text: "bye" }', ''].join('\n'));
    const file = targetsFile(dir.path, ['targets:', '  - name: strict', '    target: builtin', '    strict: true', '  - name: lenient', '    target: builtin', ''].join('\n'));
    const reports = path.join(dir.path, 'reports');
    const result = await sockspec(['run', '--targets', file, '--suite', suite, '--step-timeout', '300', '--reports', reports]);
    const matrix = JSON.parse(readFileSync(path.join(reports, 'matrix.json'), 'utf8')) as MatrixFile;
    dir.remove();
    expect(matrix.targets.map((t) => [t.name, t.exitCode])).toEqual([['strict', 1], ['lenient', 0]]);
    expect(matrix.rows.map((r) => r.cells)).toEqual([['fail', 'tolerated']]);
    expect(result.code).toBe(1);
  }, 60_000);

  test('target flags next to --targets are refused: the file names the targets', async () => {
    const result = await sockspec(['run', '--targets', 'any.yaml', '--cmd', 'x {port}']);
    expect(result.stderr).toContain('--cmd: the targets file names the targets');
    expect(result.code).toBe(2);
  });
});

describeWithPrograms(['socat', 'python3'], 'the example targets file', () => {
  test('examples/sockspec.targets.yaml runs its three echo servers side by side', async () => {
    const reports = tempDir();
    const result = await sockspec(['run', '--targets', 'examples/sockspec.targets.yaml', '--suite', 'echo-tcp', '--filter', 'size-1024|half-close', '--reports', reports.path]);
    reports.remove();
    expect(result.stdout).toMatch(/^case\s+reference\s+socat\s+python-socketserver$/m);
    expect(result.stdout).toMatch(/^echo-tcp\/half-close\s+pass\s+pass\s+pass$/m);
    expect(result.code).toBe(0);
  }, 60_000);
});

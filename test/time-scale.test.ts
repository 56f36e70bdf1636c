import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { caseTimeouts, runCase } from '../harness/run/run-case';
import type { Step } from '../harness/steps/registry';
import type { Case, Suite } from '../harness/suite/schema';
import { resultsOf, type ResultsFile } from '../harness/report/results-json';
import { mergeResults } from '../harness/report/merge';
import type { TimeScale } from '../harness/vocabulary/time-scale';
import { MAX_DURATION_MS } from '../harness/vocabulary/units';
import { withScaledStart } from '../harness/targets/registry';
import { ROOT, sockspec, tempDir } from './support/cli';
import { expectValidJunit } from './support/junit-schema';
import { runHelp } from '../harness/cli/help';

const BIN = path.join(ROOT, 'bin', 'sockspec.js');
/** One case waiting 500 ms at most for an echo; run against a server that never answers. */
const DEAF = path.join(ROOT, 'fixtures', 'verdicts', 'deaf.suite.yaml');

/*
 * --time-scale multiplies patience (deadlines, waits, tolerances) and never a duration a rule is
 * about; --no-timeouts takes every deadline away. Each test runs a case against a server that
 * misses its patience, or its rule, by a known amount.
 */

const suite: Suite = { file: '<test>', suite: 'scale', title: 't', service: 'echo-tcp', cases: [] };
const aCase = (fields: Partial<Case>, ...steps: unknown[]): Case => ({ id: 'c', title: 't', requirement: 'r', ref: 'test', ...fields, steps: steps as Step[] });

const servers: net.Server[] = [];
const sockets: net.Socket[] = [];
afterAll(() => {
  for (const socket of sockets) socket.destroy();
  return Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

/** An echo server that answers each chunk after `delayMs`, or, given `closeAfterMs`, says nothing and closes an idle connection then. */
async function slowServer(behaviour: { delayMs?: number; closeAfterMs?: number }): Promise<number> {
  const server = net.createServer((socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    if (behaviour.closeAfterMs !== undefined) setTimeout(() => socket.end(), behaviour.closeAfterMs);
    socket.on('data', (chunk) => setTimeout(() => socket.writable && socket.write(chunk), behaviour.delayMs ?? 0));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

function run(c: Case, port: number, timeScale?: TimeScale, idleTimeoutMs?: number) {
  return runCase(suite, c, { 'echo-tcp': { host: '127.0.0.1', port, transport: 'tcp', idleTimeoutMs } }, { timeScale });
}

describe('--time-scale: patience scales', () => {
  // The server answers after 1.5 times the step timeout.
  const answersLate = aCase({ stepTimeout: '300ms', timeout: '5s' }, { connect: {} }, { send: { text: 'ping' } }, { expect: { text: 'ping' } });

  test('a server answering after 1.5x the step timeout fails as the suite says, and passes with --time-scale 3', async () => {
    const port = await slowServer({ delayMs: 450 });
    const normal = await run(answersLate, port);
    expect(normal.failure?.summary).toMatch(/nothing more came for 300 ms/);
    const scaled = await run(answersLate, port, { factor: 3, noTimeouts: false });
    expect({ verdict: scaled.verdict, failure: scaled.failure?.summary }).toEqual({ verdict: 'pass', failure: undefined });
  });

  test("a step's own timeout scales too, and so does the case deadline", async () => {
    const port = await slowServer({ delayMs: 450 });
    const own = aCase({ timeout: '5s' }, { connect: {} }, { send: { text: 'ping' } }, { expect: { text: 'ping', timeout: '300ms' } });
    expect((await run(own, port)).verdict).toBe('fail');
    expect((await run(own, port, { factor: 3, noTimeouts: false })).verdict).toBe('pass');
    const shortCase = aCase({ stepTimeout: '5s', timeout: '300ms' }, { connect: {} }, { send: { text: 'ping' } }, { expect: { text: 'ping' } });
    // The waiting step and the case runner race to say it; both name the case deadline.
    expect((await run(shortCase, port)).failure?.summary).toMatch(/the case deadline (of 300 ms )?passed$/);
    expect((await run(shortCase, port, { factor: 3, noTimeouts: false })).verdict).toBe('pass');
  });

  test('the case deadline scales, but the idle timeout a case waits out is added as declared', () => {
    const waitsIdle = aCase({ timeout: '1s', stepTimeout: '200ms', needs: ['idle-timeout'] });
    expect(caseTimeouts(suite, waitsIdle, 2000, undefined, { factor: 3, noTimeouts: false })).toEqual({ step: 600, total: 3000 + 2000 });
    expect(caseTimeouts(suite, waitsIdle, 2000, undefined, { factor: 1, noTimeouts: true })).toEqual({ step: MAX_DURATION_MS, total: MAX_DURATION_MS });
  });
});

describe("--time-scale: a target's readiness wait scales", () => {
  test('a command or image target waits longer to start; a target sockspec does not wait for is left alone', () => {
    const triple = { factor: 3, noTimeouts: false };
    expect(withScaledStart({ kind: 'command', command: 'x {port}', startTimeoutMs: 1000 }, triple)).toMatchObject({ startTimeoutMs: 3000 });
    // The default (10 s) is scaled as well.
    expect(withScaledStart({ kind: 'command', command: 'x {port}' }, triple)).toMatchObject({ startTimeoutMs: 30_000 });
    expect(withScaledStart({ kind: 'image', image: 'x', services: { 'echo-tcp': 7 } }, { factor: 1, noTimeouts: true })).toMatchObject({ startTimeoutMs: MAX_DURATION_MS });
    expect(withScaledStart({ kind: 'builtin' }, triple)).toEqual({ kind: 'builtin' });
    expect(withScaledStart({ kind: 'command', command: 'x {port}' }, { factor: 1, noTimeouts: false })).toEqual({ kind: 'command', command: 'x {port}' });
  });
});

describe('--time-scale: the rule does not scale', () => {
  test('a server that idles past its declared timeout still fails at scale 5: only the slack grows', async () => {
    // Declared 300 ms, closes at 1600 ms: with the idle timeout scaled too (1500 ms) it would pass.
    const port = await slowServer({ closeAfterMs: 1600 });
    const idle = aCase({ needs: ['idle-timeout'], timeout: '5s' }, { connect: {} }, { 'expect-idle-close': { slack: '100ms' } });
    const outcome = await run(idle, port, { factor: 5, noTimeouts: false }, 300);
    expect(outcome.verdict).toBe('fail');
    expect(outcome.failure?.summary).toMatch(/its declared idle timeout of 300 ms plus 500 ms slack/);
  });

  test('a sleep takes as long as the suite says, whatever the scale', async () => {
    const port = await slowServer({});
    const started = Date.now();
    const outcome = await run(aCase({}, { sleep: '200ms' }, { connect: {} }), port, { factor: 10, noTimeouts: false });
    expect(outcome.verdict).toBe('pass');
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

describe('--no-timeouts', () => {
  test('a step slower than every deadline finishes, and the case ends when its steps end', async () => {
    const port = await slowServer({ delayMs: 1500 });
    const slow = aCase({ stepTimeout: '5s', timeout: '500ms' }, { connect: {} }, { send: { text: 'ping' } }, { expect: { text: 'ping' } });
    expect((await run(slow, port)).failure?.summary).toMatch(/the case deadline (of 500 ms )?passed$/);
    const outcome = await run(slow, port, { factor: 1, noTimeouts: true });
    expect({ verdict: outcome.verdict, failure: outcome.failure?.summary }).toEqual({ verdict: 'pass', failure: undefined });
    expect(outcome.durationMs).toBeGreaterThanOrEqual(1400);
  });
});

test('sockspec merge keeps the most lenient shard\'s time scale, and says so when any shard had no timeouts', () => {
  const shard = (timeScale: TimeScale) => resultsOf([], 'builtin', false, false, timeScale);
  const merged = mergeResults([shard({ factor: 2, noTimeouts: false }), shard({ factor: 0.5, noTimeouts: true })]);
  expect({ timeScale: merged.timeScale, noTimeouts: merged.noTimeouts }).toEqual({ timeScale: 2, noTimeouts: true });
  // A shard written before --time-scale existed ran as the suites say.
  const { timeScale: _absent, ...older } = shard({ factor: 1, noTimeouts: false });
  expect(mergeResults([older as ResultsFile, shard({ factor: 0.5, noTimeouts: false })]).timeScale).toBe(1);
});

describe('the command line', () => {
  test('run --help tells both flags, and what --time-scale leaves alone', () => {
    expect(runHelp()).toMatch(/--time-scale F +multiply every deadline, wait and tolerance by F[^]*not the durations a rule is about/);
    expect(runHelp()).toMatch(/--no-timeouts +no step or case deadline at all/);
  });

  test('--no-timeouts: a case waiting for what never comes waits until Ctrl-C, which stops the run cleanly (exit 130)', async () => {
    const dir = tempDir();
    try {
      const server = path.join(dir.path, 'deaf.js');
      writeFileSync(server, "require('net').createServer((s) => s.resume()).listen(Number(process.argv[2]), '127.0.0.1');\n");
      const args = ['run', '--suite', DEAF, '--cmd', `${process.execPath} ${server} {port}`, '--reports', dir.path];
      // Without it the case fails on its 500 ms deadline.
      const normal = await sockspec(args);
      expect(normal.code).toBe(1);
      const cli = spawn(process.execPath, [BIN, ...args, '--no-timeouts'], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' }, detached: true });
      const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
      let stdout = '';
      const started = new Promise<void>((resolve) => cli.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()).includes('no timeouts') && resolve()));
      await started;
      // Far past every deadline the suite sets, the case is still waiting.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(stdout).not.toMatch(/deaf\/waits/);
      process.kill(-(cli.pid as number), 'SIGINT');
      expect(await exited).toBe(130);
      const results = JSON.parse(readFileSync(path.join(dir.path, 'results.json'), 'utf8')) as ResultsFile;
      expect({ interrupted: results.interrupted, noTimeouts: results.noTimeouts, cases: results.cases.length }).toEqual({ interrupted: true, noTimeouts: true, cases: 0 });
    } finally {
      dir.remove();
    }
  }, 60_000);

  test.each([['0'], ['-1'], ['abc'], ['101'], ['']])('--time-scale "%s" is a usage error (exit 2, one line)', async (value) => {
    const result = await sockspec(['run', '--suite', 'echo-tcp', `--time-scale=${value}`]);
    expect({ code: result.code, stderr: result.stderr }).toEqual({
      code: 2,
      stderr: `error: --time-scale takes a number above 0 and at most 100 (e.g. 0.5, 3), not "${value}"\n`,
    });
  }, 30_000);

  test('a wrong SOCKSPEC_TIME_SCALE is a usage error too, naming the variable', async () => {
    const result = await sockspec(['run', '--suite', 'echo-tcp'], { env: { SOCKSPEC_TIME_SCALE: 'slow' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: SOCKSPEC_TIME_SCALE takes a number above 0 and at most 100 \(e\.g\. 0\.5, 3\), not "slow"\n {2}or unset SOCKSPEC_TIME_SCALE\n$/);
  }, 30_000);

  describe('the reports state the time scale', () => {
    const reports = tempDir();
    afterAll(() => reports.remove());
    const ROUND_TRIP = ['--suite', 'echo-tcp', '--filter', 'echo-tcp round-trip:'];

    test('--time-scale 2.5: terminal, results.json, junit.xml, index.html', async () => {
      const result = await sockspec(['run', ...ROUND_TRIP, '--time-scale', '2.5', '--reports', reports.path]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^time scale × 2\.5: every deadline and tolerance, not the durations the rules are about$/m);
      expect(result.stdout).toMatch(/^PASS {2}reports: .*\(time scale × 2\.5/m);
      const results = JSON.parse(readFileSync(path.join(reports.path, 'results.json'), 'utf8')) as ResultsFile;
      expect({ timeScale: results.timeScale, noTimeouts: results.noTimeouts }).toEqual({ timeScale: 2.5, noTimeouts: undefined });
      const junit = readFileSync(path.join(reports.path, 'junit.xml'), 'utf8');
      expect(junit).toContain('<property name="time-scale" value="2.5"/>');
      // A JUnit reader that is not sockspec's takes the properties: the report still meets the schema CI servers read.
      await expectValidJunit(junit);
      expect(readFileSync(path.join(reports.path, 'index.html'), 'utf8')).toContain("' · time scale × ' + results.timeScale");
    }, 60_000);

    test('SOCKSPEC_TIME_SCALE is the default, and --no-timeouts is stated as well', async () => {
      const result = await sockspec(['run', ...ROUND_TRIP, '--no-timeouts', '--reports', reports.path], { env: { SOCKSPEC_TIME_SCALE: '4' } });
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^no timeouts \(--no-timeouts\); tolerances × 4$/m);
      const results = JSON.parse(readFileSync(path.join(reports.path, 'results.json'), 'utf8')) as ResultsFile;
      expect({ timeScale: results.timeScale, noTimeouts: results.noTimeouts }).toEqual({ timeScale: 4, noTimeouts: true });
      expect(readFileSync(path.join(reports.path, 'junit.xml'), 'utf8')).toContain('<property name="no-timeouts" value="true"/>');
    }, 60_000);

    test('a run as the suites say states a scale of 1 in results.json and nothing in junit.xml', async () => {
      const result = await sockspec(['run', ...ROUND_TRIP, '--reports', reports.path], { env: { SOCKSPEC_TIME_SCALE: '' } });
      expect(result.code).toBe(0);
      expect(result.stdout).not.toMatch(/time scale|no timeouts/);
      expect((JSON.parse(readFileSync(path.join(reports.path, 'results.json'), 'utf8')) as ResultsFile).timeScale).toBe(1);
      expect(readFileSync(path.join(reports.path, 'junit.xml'), 'utf8')).not.toContain('time-scale');
    }, 60_000);
  });
});

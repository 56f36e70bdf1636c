import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AggregatedResult } from '@jest/test-result';
import { joinResults, suitePasses, workersFlag } from '../harness/cli/suite-passes';
import { inPart } from '../harness/jest/settings';
import { runsSideBySide } from '../harness/run/side-by-side';
import { bundledSuite } from './support/run-suite';
import { ROOT, sockspec, startInterruptible, tempDir } from './support/cli';

const ALONE = ['chat/fan-out-200', 'chat/slow-consumer', 'echo-tcp/concurrent-clients', 'echo-tcp/connect-burst', 'timeouts/slow-clients'];

describe('the passes of a run', () => {
  const suites = ['echo-tcp', 'echo-udp', 'timeouts', 'tls'].map(bundledSuite);
  const names = (files: string[]) => files.map((file) => path.basename(file, '.suite.yaml'));

  test('side by side, then the suites with cases that run alone, in band', () => {
    const passes = suitePasses(suites, 4, false);
    expect(passes.map((p) => [names(p.files), p.workers, p.part])).toEqual([
      [['echo-tcp', 'echo-udp', 'timeouts', 'tls'], 4, 'together'],
      [['echo-tcp', 'timeouts'], 1, 'alone'],
    ]);
  });

  test('no more workers than suite files', () => {
    expect(suitePasses(suites, 32, false)[0].workers).toBe(4);
  });

  test('one worker, or a target every suite would share, runs every case in one pass, in order', () => {
    for (const passes of [suitePasses(suites, 1, false), suitePasses(suites, 4, true)]) {
      expect(passes).toEqual([{ files: suites.map((s) => s.file), workers: 1 }]);
    }
  });

  test('each case is in exactly one part, and only cases that declare alone are in the alone part', () => {
    const all = ['chat', 'echo-tcp', 'timeouts'].map(bundledSuite).flatMap((s) => s.cases.map((c) => ({ id: `${s.suite}/${c.id}`, c })));
    expect(all.filter(({ c }) => inPart(c, 'alone')).map(({ id }) => id)).toEqual(ALONE);
    for (const { c } of all) expect([inPart(c, 'together'), inPart(c, 'alone')].filter(Boolean)).toHaveLength(1);
    for (const { c } of all) expect(inPart(c, undefined)).toBe(true);
  });

  test('--workers: the cores by default, 1 to 32, else a one-line usage error', () => {
    expect(workersFlag(undefined)).toBe(os.availableParallelism());
    expect(workersFlag('3')).toBe(3);
    for (const bad of ['0', '33', '1.5', 'two', '']) expect(() => workersFlag(bad)).toThrow(/^--workers takes a whole number from 1 to 32, not ".*"$/);
  });

  test("the passes' jest results join: counts summed, files in the order they ran", () => {
    const pass = (files: string[], failed: number, success: boolean) =>
      ({ numTotalTestSuites: files.length, numFailedTests: failed, numRuntimeErrorTestSuites: 0, success, testResults: files.map((testFilePath) => ({ testFilePath })), startTime: 1 }) as unknown as AggregatedResult;
    const joined = joinResults([pass(['a', 'b'], 1, false), pass(['c'], 2, true)]);
    expect(joined).toMatchObject({ numTotalTestSuites: 3, numFailedTests: 3, numRuntimeErrorTestSuites: 0, success: false, startTime: 1 });
    expect(joined.testResults.map((r) => r.testFilePath)).toEqual(['a', 'b', 'c']);
  });
});

describe("a suite file's cases side by side", () => {
  const caseOf = (suite: string, id: string) => {
    const found = bundledSuite(suite).cases.find((c) => c.id === id);
    if (!found) throw new Error(`no case ${suite}/${id}`);
    return found;
  };
  const together = { together: true, targetKind: 'builtin' };

  test('only in the together part, against the builtin servers, in a suite that declares sideBySide', () => {
    const echo = bundledSuite('echo-tcp');
    const roundTrip = caseOf('echo-tcp', 'round-trip');
    expect(runsSideBySide(echo, roundTrip, together)).toBe(true);
    // A user's server may serve one connection at a time: its verdicts are those of a serial run.
    expect(runsSideBySide(echo, roundTrip, { together: true, targetKind: 'command' })).toBe(false);
    expect(runsSideBySide(echo, roundTrip, { together: false, targetKind: 'builtin' })).toBe(false);
    // The chat cases share one room.
    expect(runsSideBySide(bundledSuite('chat'), caseOf('chat', 'register'), together)).toBe(false);
  });

  test('a network case too (it gets a namespace of its own: test/network.test.ts), never a case that restarts the server', () => {
    const declares = { sideBySide: 'as if' };
    expect(runsSideBySide(declares, caseOf('network', 'loss-10-percent'), together)).toBe(true);
    expect(runsSideBySide(declares, caseOf('lifecycle', 'graceful-stop'), together)).toBe(false);
  });

  test('side by side the quick case ends before the slow one listed first; one after another, or without sideBySide, in order', async () => {
    const dir = path.join(ROOT, 'fixtures', 'suites', 'side-by-side');
    const suites = ['side-by-side', 'one-after-another'].flatMap((name) => ['--suite', path.join(dir, `${name}.suite.yaml`)]);
    const ends = async (...args: string[]) => {
      const reports = tempDir();
      try {
        const result = await sockspec(['run', ...suites, '--reports', reports.path, ...args], { timeoutMs: 60_000 });
        expect(result.code).toBe(0);
        return [...result.stdout.matchAll(/^✓ (\S+)/gm)].map((m) => m[1]);
      } finally {
        reports.remove();
      }
    };
    const inParallel = await ends('--workers', '2');
    expect(inParallel.filter((id) => id.startsWith('side-by-side/'))).toEqual(['side-by-side/quick', 'side-by-side/slow']);
    expect(inParallel.filter((id) => id.startsWith('one-after-another/'))).toEqual(['one-after-another/slow', 'one-after-another/quick']);
    const serial = await ends('--workers', '1');
    expect(serial.filter((id) => id.startsWith('side-by-side/'))).toEqual(['side-by-side/slow', 'side-by-side/quick']);
    // A server the CLI starts is every suite's: one case at a time, whatever the suite says.
    const command = await ends('--cmd', 'socat TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork PIPE');
    expect(command.filter((id) => id.startsWith('side-by-side/'))).toEqual(['side-by-side/slow', 'side-by-side/quick']);
  }, 120_000);
});

describe('sockspec run in parallel', () => {
  let reports: ReturnType<typeof tempDir>;
  beforeEach(() => (reports = tempDir()));
  afterEach(() => reports.remove());

  const caseLines = (stdout: string) => [...stdout.matchAll(/^([✓✗~-]) (\S+)/gm)].map((m) => `${m[2]} ${m[1]}`);
  const reported = () => (JSON.parse(readFileSync(path.join(reports.path, 'results.json'), 'utf8')) as { cases: Array<{ id: string; verdict: string }> }).cases;
  const verdicts = () => reported().map((c) => `${c.id} ${c.verdict}`).sort();
  const reportedOrder = () => reported().map((c) => c.id);

  test('two suites on two workers: every case once, the alone ones last, the verdicts of a serial run', async () => {
    const args = ['run', '--suite', 'echo-tcp', '--suite', 'echo-udp', '--reports', reports.path];
    const parallel = await sockspec([...args, '--workers', '2'], { timeoutMs: 120_000 });
    expect(parallel.stderr).toBe('');
    expect(parallel.code).toBe(0);
    const lines = caseLines(parallel.stdout);
    expect(lines.slice(-2).sort()).toEqual(['echo-tcp/concurrent-clients ✓', 'echo-tcp/connect-burst ✓']);
    const inParallel = verdicts();
    expect(new Set(inParallel).size).toBe(bundledSuite('echo-tcp').cases.length + bundledSuite('echo-udp').cases.length);
    // The reports list the cases in their suites' order, the alone ones among them.
    const order = bundledSuite('echo-tcp').cases.map((c) => `echo-tcp/${c.id}`);
    expect(reportedOrder().filter((id) => id.startsWith('echo-tcp/'))).toEqual(order);

    const serial = await sockspec([...args, '--workers', '1'], { timeoutMs: 120_000 });
    expect(serial.code).toBe(0);
    expect(verdicts()).toEqual(inParallel);
    // One after another, the cases come in their suites' order, as before parallel runs.
    expect(caseLines(serial.stdout).map((line) => line.split(' ')[0]).filter((id) => id.startsWith('echo-tcp/'))).toEqual(order);
  }, 240_000);

  test('--filter that picks only an alone case runs just it', async () => {
    const result = await sockspec(['run', '--suite', 'echo-tcp', '--filter', 'connect-burst', '--workers', '2', '--reports', reports.path]);
    expect(result.code).toBe(0);
    expect(caseLines(result.stdout)).toEqual(['echo-tcp/connect-burst ✓']);
    expect(verdicts()).toEqual(['echo-tcp/connect-burst pass']);
  }, 60_000);

  test('--shard: the shards of a parallel run hold every case once between them', async () => {
    const ids: string[] = [];
    for (const shard of ['1/2', '2/2']) {
      const result = await sockspec(['run', '--suite', 'echo-tcp', '--suite', 'echo-udp', '--shard', shard, '--workers', '2', '--reports', reports.path], { timeoutMs: 120_000 });
      expect(result.code).toBe(0);
      ids.push(...reportedOrder());
    }
    const all = [...bundledSuite('echo-tcp').cases.map((c) => `echo-tcp/${c.id}`), ...bundledSuite('echo-udp').cases.map((c) => `echo-udp/${c.id}`)];
    expect(ids.sort()).toEqual(all.sort());
  }, 240_000);

  test('Ctrl-C while two workers run: exit 130, partial reports, no worker left running', async () => {
    const scratch = tempDir();
    try {
      await interruptTwoWorkers(scratch.path);
    } finally {
      scratch.remove();
    }
  }, 60_000);

  async function interruptTwoWorkers(scratch: string): Promise<void> {
    // jest runs the files in band, with no worker, when its cache says every one took under a
    // second (as the earlier runs here can leave it): a fresh temporary folder is a fresh cache.
    const run = startInterruptible(['run', '--suite', 'timeouts', '--suite', 'echo-udp', '--workers', '2', '--reports', reports.path], /^✓ echo-udp\//m, { TMPDIR: scratch });
    const { cli } = run;
    await run.reached;
    const workers = execFileSync('ps', ['-o', 'pid=', '--ppid', String(cli.pid)], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
    expect(workers.length).toBeGreaterThanOrEqual(2);
    run.interrupt();
    expect(await run.exited).toBe(130);
    expect(run.stdout()).toMatch(/^INTERRUPTED {2}partial reports: /m);
    const results = JSON.parse(readFileSync(path.join(reports.path, 'results.json'), 'utf8')) as { interrupted?: boolean; cases: Array<{ id: string }> };
    expect(results.interrupted).toBe(true);
    expect(results.cases.map((c) => c.id)).toContain(/^✓ (echo-udp\/\S+)/m.exec(run.stdout())?.[1]);
    // The CLI exits once its workers have stopped what they held.
    const alive = workers.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
  }

  test('--workers 0: exit 2 with a one-line reason', async () => {
    const result = await sockspec(['run', '--workers', '0']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--workers takes a whole number from 1 to 32, not "0"/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

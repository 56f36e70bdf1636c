import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LoadDrivers } from '../harness/load/drivers';
import { withDrivers } from '../harness/steps/support/load-drivers';
import type { StepContext } from '../harness/steps/context';
import { SuiteUsageError } from '../harness/verdict/failure';
import { harnessLimitProblem } from '../harness/load/limits';
import { share, percentile } from '../harness/load/measure';
import { loadSuite } from '../harness/suite/load';
import { resolveSuiteFiles } from '../harness/cli/suite-files';
import { parseCapacity } from '../harness/vocabulary/capacity';
import { entryFlags, loadTargetsFile } from '../harness/cli/targets-file';
import { declarationsFromFlags } from '../harness/cli/target-option';
import { declareCapacity, declareEndpoints } from '../harness/targets/declarations';
import { ROOT, sockspec, startInterruptible, tempDir } from './support/cli';

const DRIVER_ENTRY = path.join(ROOT, 'dist', 'harness', 'load', 'driver-main.js');

/** The load drivers of this checkout running now: their pids. */
function runningDrivers(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(DRIVER_ENTRY);
      } catch {
        return false;
      }
    })
    .map(Number);
}

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

describe('--declare-capacity', () => {
  test('takes NAME=VALUE pairs, given apart or joined by commas', () => {
    expect(parseCapacity(['connections=5000', 'rate=200,throughput=10MiB', 'p99=20ms'])).toEqual({ connections: 5000, connectionsPerSecond: 200, bytesPerSecond: 10 * 1024 ** 2, p99Ms: 20 });
  });

  test.each([
    ['connections=0', 'connections takes a value such as connections=5000, not "0"'],
    ['connections=1e6', 'connections takes a value such as connections=5000, not "1e6"'],
    ['connections=100001', 'connections takes a value such as connections=5000, not "100001"'],
    ['rate=-3', 'rate takes a value such as rate=2000 (connections per second), not "-3"'],
    ['p99=0ms', 'p99 takes a value such as p99=20ms, not "0ms"'],
    ['threads=8', 'takes NAME=VALUE pairs'],
  ])('%s is refused, saying what it takes', (given, message) => {
    expect(parseCapacity([given])).toContain(message);
  });

  test('a mistake stops the run in one line, before anything starts', async () => {
    const result = await sockspec(['run', '--suite', 'capacity', '--declare-capacity', 'connections=lots']);
    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toMatch(/^error: --declare-capacity connections takes a value such as connections=5000, not "lots"/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});

describe('a declaration reaches the endpoint', () => {
  test('from a targets file: one string or a list, as the flags', () => {
    const dir = tempDir();
    const file = path.join(dir.path, 'targets.yaml');
    writeFileSync(file, ['targets:', '  - name: a', '    target: builtin', '    declareCapacity: connections=5000', '  - name: b', '    target: builtin', '    declareCapacity: [rate=200, p99=20ms]', ''].join('\n'));
    const entries = loadTargetsFile(file);
    dir.remove();
    const declared = entries.map((entry) => declarationsFromFlags(entryFlags(entry, { strict: false })).capacity);
    expect(declared).toEqual([{ connections: 5000 }, { connectionsPerSecond: 200, p99Ms: 20 }]);
  });

  test('a mistake in a targets file is refused at its file:line:column', () => {
    const dir = tempDir();
    const file = path.join(dir.path, 'targets.yaml');
    writeFileSync(file, ['targets:', '  - name: a', '    target: builtin', '    declareCapacity: connections=lots', ''].join('\n'));
    expect(() => loadTargetsFile(file)).toThrow(/targets\.yaml:4:22: targets\[0\]\.declareCapacity: connections takes a value such as connections=5000, not "lots"/);
    dir.remove();
  });

  test('on every TCP endpoint, the builtin servers (which declare the rest themselves) included; not on UDP ones', () => {
    const endpoints = { 'echo-tcp': { host: '127.0.0.1', port: 7, transport: 'tcp' as const }, 'echo-udp': { host: '127.0.0.1', port: 7, transport: 'udp' as const } };
    const declared = { capacity: { connections: 5000 } };
    for (const result of [declareEndpoints(endpoints, declared), declareCapacity(endpoints, declared)]) {
      expect(result['echo-tcp']?.capacity).toEqual({ connections: 5000 });
      expect(result['echo-udp']?.capacity).toBeUndefined();
    }
  });
});

describe('the capacity suite runs on request only', () => {
  test('a run of every suite leaves it out; --suite capacity names it', () => {
    expect(resolveSuiteFiles([]).some((file) => file.endsWith('capacity.suite.yaml'))).toBe(false);
    expect(resolveSuiteFiles(['capacity'])).toEqual([path.join(ROOT, 'suites', 'capacity.suite.yaml')]);
  });

  test('sockspec list shows it, marked as run on request', async () => {
    const result = await sockspec(['list']);
    expect(result.stdout).toMatch(/^capacity: Capacity under load \(service echo-tcp, \d+ cases, on request only: --suite capacity\)$/m);
  }, 60_000);

  test('without a declaration its must cases are skipped, each saying how to declare', async () => {
    const reports = tempDir();
    const result = await sockspec(['run', '--suite', 'capacity', '--filter', 'declared-', '--reports', reports.path]);
    const results = JSON.parse(readFileSync(path.join(reports.path, 'results.json'), 'utf8')) as { cases: { case: string; verdict: string; reason?: string; message?: string }[] };
    reports.remove();
    expect(result.code).toBe(0);
    const skipped = Object.fromEntries(results.cases.map((c) => [c.case, [c.verdict, c.reason]]));
    expect(skipped['declared-connections']).toEqual(['skip', expect.stringContaining('--declare-capacity connections=5000 on the command line')]);
    expect(skipped['declared-rate']).toEqual(['skip', expect.stringContaining('--declare-capacity rate=2000')]);
    expect(skipped['declared-throughput']).toEqual(['skip', expect.stringContaining('--declare-capacity throughput=100MiB')]);
    expect(skipped['declared-latency']).toEqual(['skip', expect.stringContaining('--declare-capacity p99=20ms')]);
  }, 60_000);
});

describe('bounded at load: a count or rate out of bounds is an error at its file:line:column', () => {
  const cases: [string, string, RegExp][] = [
    ['no connections', 'ramp: { connections: 0 }', /bad\.suite\.yaml:10:30: cases\[0\]\.steps\[0\]\.ramp\.connections: must be >= 1$/],
    ['more connections than a declaration may hold', 'ramp: { connections: 200000 }', /bad\.suite\.yaml:10:30: cases\[0\]\.steps\[0\]\.ramp\.connections: must be <= 100000$/],
    ['more than a case opens', 'ramp: { connections: 20000 }', /bad\.suite\.yaml:10:15: cases\[0\]\.steps\[0\]\.ramp: the case opens 20000 connections by here .* a case opens at most 10000$/],
    ['an absurd rate', 'ramp: { perSecond: 100000000 }', /bad\.suite\.yaml:10:28: cases\[0\]\.steps\[0\]\.ramp\.perSecond: must be <= 100000$/],
    ['too long a hold', 'ramp: { hold: 10m }', /bad\.suite\.yaml:10:23: cases\[0\]\.steps\[0\]\.ramp\.hold: hold is at most 60s$/],
    ['latency samples past the bound', 'latency: { perSecond: 100000, for: 60s }', /bad\.suite\.yaml:10:31: cases\[0\]\.steps\[0\]\.latency\.perSecond: 6,000,000 round trips \(perSecond times for\); a measurement times at most 1,000,000$/],
    ['a rate sustained too long', 'connection-rate: { for: 2m }', /bad\.suite\.yaml:10:33: cases\[0\]\.steps\[0\]\.connection-rate\.for: for takes a duration from 1ms to 60s$/],
    ['declared throughput over several streams', 'throughput: { declared: true, streams: 4 }', /bad\.suite\.yaml:10:48: cases\[0\]\.steps\[0\]\.throughput\.streams: the declared throughput is of one connection: declared: true goes with one stream$/m],
  ];
  test.each(cases)('%s', (_name, step, message) => {
    const dir = tempDir();
    const file = path.join(dir.path, 'bad.suite.yaml');
    writeFileSync(file, ['suite: bad', 'title: t', 'service: echo-tcp', 'cases:', '  - id: a', '    title: t', '    requirement: r', '    ref: x', '    steps:', `      - ${step}`, ''].join('\n'));
    let error: Error | undefined;
    try {
      loadSuite(file);
    } catch (err) {
      error = err as Error;
    }
    dir.remove();
    expect(error?.message).toMatch(message);
  });
});

describe("the harness's own limits, said before a ramp starts", () => {
  test('ulimit -n per driver: too few descriptors for the drivers a ramp may start', () => {
    expect(harnessLimitProblem(10_000, false, 28_232, 1024, 10)).toBe('10000 connections need 11 load drivers of 960 connections each (ulimit -n 1024 per process, less 64 spare), and a ramp starts at most 8');
  });

  test('ephemeral ports: one source address reaches one destination from as many ports as the range has', () => {
    expect(harnessLimitProblem(30_000, false, 28_232, 20_000, 10)).toBe('30000 connections to one address and port need as many ephemeral ports, and net.ipv4.ip_local_port_range gives 28232');
  });

  test("a target in the harness's own process: its descriptors are the jest worker's", () => {
    expect(harnessLimitProblem(10_000, true, 28_232, 20_000, 12_000)).toMatch(/^the target runs in the harness's own process .* which has 12000 descriptors open and a soft limit \(ulimit -n\) of 20000: it can accept 7936 connections, not 10000$/);
    expect(harnessLimitProblem(10_000, true, 28_232, 20_000, 100)).toBeUndefined();
  });

  test('a ramp the harness cannot carry is a suite error with the numbers, not a failure of the target', async () => {
    const reports = tempDir();
    // ulimit -n 400 for the run (and its jest workers and drivers): 10,000 connections need 30 drivers.
    const result = await new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const bin = path.join(ROOT, 'bin', 'sockspec.js');
      const cli = spawn('sh', ['-c', `ulimit -n 400 && exec "${process.execPath}" "${bin}" run --suite capacity --filter connections-10k --reports "${reports.path}"`], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
      let stdout = '';
      cli.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      cli.on('exit', (code) => resolve({ code, stdout }));
    });
    reports.remove();
    expect(result.stdout).toContain('the harness cannot hold 10,000 connections here: 10000 connections need 30 load drivers of 336 connections each (ulimit -n 400 per process, less 64 spare), and a ramp starts at most 8');
    expect(result.code).toBe(2);
  }, 60_000);
});

describe('load drivers', () => {
  test('stop() kills and reaps every driver', async () => {
    const drivers = await LoadDrivers.start(2);
    expect(drivers.pids.every((pid) => existsSync(`/proc/${pid}`))).toBe(true);
    await drivers.stop();
    expect(drivers.pids.filter((pid) => existsSync(`/proc/${pid}`))).toEqual([]);
  }, 30_000);

  test('a driver exits by itself when the process that started it is killed', async () => {
    const script = `require(${JSON.stringify(path.join(ROOT, 'dist', 'harness', 'load', 'drivers.js'))}).LoadDrivers.start(2).then((d) => console.log(d.pids.join(' ')))`;
    const parent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const pids = await new Promise<number[]>((resolve) => parent.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim().split(' ').map(Number))));
    expect(pids).toHaveLength(2);
    parent.kill('SIGKILL');
    expect(await until(() => pids.every((pid) => !existsSync(`/proc/${pid}`) || readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ')), 5000)).toBe(true);
  }, 30_000);

  test('drivers that cannot start make the case an error that says why, not an internal error', async () => {
    const start = jest.spyOn(LoadDrivers, 'start').mockRejectedValue(new Error('a load driver exited at start (code 1): out of memory'));
    const cleanups: Array<() => Promise<void>> = [];
    const ctx = { run: { signal: new AbortController().signal }, onCleanup: (release: () => Promise<void>) => cleanups.push(release) } as unknown as StepContext;
    try {
      const measured = withDrivers(ctx, 2, async () => 'measured');
      await expect(measured).rejects.toBeInstanceOf(SuiteUsageError);
      await expect(measured).rejects.toThrow("sockspec's load drivers could not start here: a load driver exited at start (code 1): out of memory");
      await Promise.all(cleanups.map((release) => release()));
    } finally {
      start.mockRestore();
    }
  });

  test('Ctrl-C during a ramp leaves no driver behind', async () => {
    const reports = tempDir();
    const run = startInterruptible(['run', '--suite', 'capacity', '--filter', 'connections-10k', '--reports', reports.path]);
    const started = await until(() => runningDrivers().length > 0, 30_000);
    run.interrupt();
    await run.exited;
    reports.remove();
    expect(started).toBe(true);
    expect(await until(() => runningDrivers().length === 0, 5000)).toBe(true);
  }, 60_000);
});

describe('measurement arithmetic', () => {
  test('a count is split over drivers as evenly as it goes', () => {
    expect([0, 1, 2].map((i) => share(10, 3, i))).toEqual([4, 3, 3]);
  });

  test('percentiles are nearest-rank', () => {
    const sorted = Float64Array.from({ length: 1000 }, (_, i) => i + 1);
    expect([50, 99, 99.9, 100].map((p) => percentile(sorted, p))).toEqual([500, 990, 999, 1000]);
  });
});

test('the driver entry is built (the other tests fork it)', () => {
  expect(existsSync(DRIVER_ENTRY)).toBe(true);
  expect(() => execFileSync(process.execPath, ['--check', DRIVER_ENTRY])).not.toThrow();
});

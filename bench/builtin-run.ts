import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ResultsFile } from '../harness/report/results-json';
import { loadSuite } from '../harness/suite/load';
import { PACKAGE_ROOT } from '../harness/package-paths';
import { BIN } from './processes';
import type { BenchRow } from './table';
import { median } from './stats';

/**
 * The yardstick: a fixed CPU-bound job in a fresh Node process, about a second of CPU. The run is
 * compared with it in CPU time, not wall time: on a shared machine a run's wall seconds say as much
 * about the neighbours as about sockspec (30 to 88 s for the same run, measured), its CPU seconds
 * far less (15 to 20 s); the yardstick's CPU time carries the machine's speed, and some of the
 * neighbours' effect on CPU time too.
 */
const YARDSTICK = "require('node:crypto').pbkdf2Sync('sockspec', 'bench', 4000000, 32, 'sha256')";

/**
 * "No slower than today" (issue #11): the CPU time of the whole serial run in yardsticks, and the
 * growth allowed before the row says NO. Lower it when the run gets cheaper. It was 17 with 98
 * cases, and the run of 148 cases took 22 to 27; since suite files share the harness their jest
 * worker loaded (jest/suite-environment.ts), a bench run at load 1 measured 14.1 (12.4 s of CPU,
 * 149 cases, on 2026-12-07). The wire checks then added tshark and tcpdump (a capture per worker, a
 * tshark decode of ~0.5 s CPU per wire check: 6.2 s of the serial run's 17.4 s, by process
 * accounting), and echo-tcp's reader-pauses streams 33 MiB (2 s CPU): 15.8 and 23.2 yardsticks in
 * two bench runs one after the other (153 cases, 2026-12-07; the yardstick itself moved from 1.33
 * to 0.94 s between them).
 */
const TODAY_IN_YARDSTICKS = 20;
const TOLERANCE = 1.25;

/** /proc's clock ticks (USER_HZ), 100 on Linux whatever the kernel's own tick rate. */
const TICKS_PER_SECOND = 100;

/** "The whole builtin run in ≤ 15 s here" (issue #17), run side by side on the machine's cores. */
const PARALLEL_TARGET_MS = 15_000;

/**
 * `sockspec run` with every bundled suite against the builtin servers, start to exit, twice in the
 * same bench run: side by side (the default: one worker per core, up to five cases of a sideBySide
 * suite at once in its worker, the alone cases afterwards) with
 * its wall time against the target, and one after another (--workers 1) beside it. The serial
 * run's CPU time is compared with the yardstick's, and its case times say where the time went:
 * the rest (jest's start, the suite files' transform and servers, the reports) is outside the cases.
 */
export function benchBuiltinRun(): BenchRow[] {
  const yardsticks = [yardstickCpu(), yardstickCpu()];
  const parallel = timedRun([]);
  const serial = timedRun(['--workers', '1']);
  yardsticks.push(yardstickCpu(), yardstickCpu());
  const yardstick = yardsticks.includes(undefined) ? undefined : median(yardsticks as number[]);
  const inYardsticks = serial.cpuSeconds === undefined || yardstick === undefined ? undefined : serial.cpuSeconds / yardstick;
  const suites = caseTimeBySuite(serial.results);
  const casesMs = [...suites.values()].reduce((sum, s) => sum + s.ms, 0);
  const limit = TODAY_IN_YARDSTICKS * TOLERANCE;
  const bound = parallelBound(parallel);
  const cases = (run: TimedRun) => `${run.results.cases.length} cases${run.results.totals.failed ? `, ${run.results.totals.failed} FAILED` : ''}`;
  return [
    {
      name: 'whole builtin run, parallel',
      value: `${seconds(parallel.wallMs)}, ${cases(parallel)}`,
      peer: `serial ${seconds(serial.wallMs)} (below, this bench run)`,
      comparison: `${(parallel.wallMs / serial.wallMs).toFixed(2)} of serial, ${os.availableParallelism()} workers`,
      target: `<= ${seconds(PARALLEL_TARGET_MS)}`,
      met: parallel.wallMs <= PARALLEL_TARGET_MS && parallel.results.totals.failed === 0,
    },
    {
      name: '  parallel run, least possible here',
      value: bound === undefined ? '- (no /proc)' : seconds(bound.ms),
      peer: bound === undefined ? '-' : `${parallel.cpuSeconds?.toFixed(1)} s CPU on ${os.availableParallelism()} cores; alone cases ${seconds(bound.aloneMs)}`,
      comparison: bound === undefined ? '-' : `target ${(PARALLEL_TARGET_MS / bound.ms).toFixed(2)}x of it`,
      target: 'reported',
      met: undefined,
    },
    {
      name: 'whole builtin run, serial (--workers 1)',
      value: `${seconds(serial.wallMs)}, ${cases(serial)}`,
      peer: `in cases ${seconds(casesMs)}, outside ${seconds(serial.wallMs - casesMs)}`,
      comparison: `${(serial.wallMs / casesMs).toFixed(2)}x the case time`,
      target: 'reported (~30 s quiet before parallel runs)',
      met: undefined,
    },
    {
      name: '  serial run, CPU',
      value: serial.cpuSeconds === undefined ? '- (no /proc)' : `${serial.cpuSeconds.toFixed(1)} s CPU`,
      peer: yardstick === undefined ? '-' : `yardstick ${yardstick.toFixed(2)} s CPU (median of 4, around the runs)`,
      comparison: inYardsticks === undefined ? '-' : `${inYardsticks.toFixed(1)} yardsticks`,
      target: `<= ${limit.toFixed(1)} yardsticks (today ${TODAY_IN_YARDSTICKS})`,
      met: inYardsticks === undefined ? undefined : inYardsticks <= limit,
    },
    ...[...suites].map(([suite, { ms, cases }]): BenchRow => ({
      name: `  suite ${suite}`,
      value: seconds(ms),
      peer: `${cases} cases`,
      comparison: `${((ms / casesMs) * 100).toFixed(0)}% of the case time`,
      target: 'reported',
      met: undefined,
    })),
  ];
}

/**
 * The least wall time the parallel run could take on this machine, however its cases were packed:
 * the alone cases run one after another with nothing beside them, and the rest of its CPU time
 * (the other cases, jest, the servers, tcpdump and tshark) at best keeps every core busy. It is
 * generous: the alone cases' own CPU time is taken as their whole wall time, and the waits of the
 * other cases as free. A target below it cannot be met by scheduling, only by less work.
 */
function parallelBound(run: TimedRun): { ms: number; aloneMs: number } | undefined {
  if (run.cpuSeconds === undefined) return undefined;
  const alone = aloneCaseIds();
  const aloneMs = run.results.cases.filter((c) => alone.has(c.id)).reduce((sum, c) => sum + c.durationMs, 0);
  const restCpuMs = Math.max(0, run.cpuSeconds * 1000 - aloneMs);
  return { ms: aloneMs + restCpuMs / os.availableParallelism(), aloneMs };
}

/** The ids (SUITE/CASE) of the bundled cases that declare `alone`. */
function aloneCaseIds(): Set<string> {
  const dir = path.join(PACKAGE_ROOT, 'suites');
  const files = readdirSync(dir).filter((name) => name.endsWith('.suite.yaml'));
  return new Set(
    files.flatMap((name) => {
      const suite = loadSuite(path.join(dir, name));
      return suite.cases.filter((c) => c.alone !== undefined).map((c) => `${suite.suite}/${c.id}`);
    }),
  );
}

interface TimedRun extends Measured {
  results: ResultsFile;
}

/** One `sockspec run` of every bundled suite against the builtin servers, with `flags`. */
function timedRun(flags: string[]): TimedRun {
  const reports = mkdtempSync(path.join(os.tmpdir(), 'sockspec-bench-'));
  try {
    const run = cpuOf(() => {
      const child = spawnSync(process.execPath, [BIN, 'run', '--reports', reports, ...flags], { stdio: 'ignore' });
      // Exit 1 is a failed case: still a whole run, and the row says how many failed.
      if (child.status !== 0 && child.status !== 1) throw new Error(`sockspec run ${flags.join(' ')} exited with ${child.status ?? child.signal}`);
    });
    return { ...run, results: JSON.parse(readFileSync(path.join(reports, 'results.json'), 'utf8')) as ResultsFile };
  } finally {
    rmSync(reports, { recursive: true, force: true });
  }
}

interface Measured {
  wallMs: number;
  /** CPU time of the child processes `work` ran and waited for, and theirs; undefined without /proc. */
  cpuSeconds: number | undefined;
}

/** Runs `work` (which waits for the processes it starts) and measures it. */
function cpuOf(work: () => void): Measured {
  const cpuBefore = childrenCpuSeconds();
  const started = performance.now();
  work();
  const wallMs = performance.now() - started;
  const cpuAfter = childrenCpuSeconds();
  return { wallMs, cpuSeconds: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore };
}

function yardstickCpu(): number | undefined {
  return cpuOf(() => spawnSync(process.execPath, ['-e', YARDSTICK], { stdio: 'ignore' })).cpuSeconds;
}

/**
 * User and system time of this process's waited-for children, theirs included (cutime and cstime
 * in /proc/self/stat): what a child process tree cost, whatever else the machine was doing.
 */
function childrenCpuSeconds(): number | undefined {
  let stat: string;
  try {
    stat = readFileSync('/proc/self/stat', 'utf8');
  } catch {
    return undefined;
  }
  // The fields after the command name, which is in parentheses and may hold spaces; the first is field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const [cutime, cstime] = [fields[16 - 3], fields[17 - 3]].map(Number);
  return (cutime + cstime) / TICKS_PER_SECOND;
}

/** The time each suite's cases took, summed (a case with --repeat counts all its runs), slowest suite first. */
function caseTimeBySuite(results: ResultsFile): Map<string, { ms: number; cases: number }> {
  const bySuite = new Map<string, { ms: number; cases: number }>();
  for (const c of results.cases) {
    const entry = bySuite.get(c.suite) ?? { ms: 0, cases: 0 };
    entry.ms += c.durationMs;
    entry.cases += 1;
    bySuite.set(c.suite, entry);
  }
  return new Map([...bySuite].sort((a, b) => b[1].ms - a[1].ms));
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

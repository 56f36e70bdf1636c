import os from 'node:os';
import type { AggregatedResult } from '@jest/test-result';
import type { Suite } from '../suite/schema';
import { inPart, type Part } from '../jest/settings';
import { UsageError } from './errors';

/**
 * One jest run over some suite files: side by side on `workers` workers, or one after another (1),
 * defining the cases of `part` (all of them without one).
 */
export interface SuitePass {
  files: string[];
  workers: number;
  part?: Part;
}

/** The most --workers takes: more would only queue on the cores, and each worker is a Node process. */
const MAX_WORKERS = 32;

/** --workers N; by default as many as the machine has cores. */
export function workersFlag(value: string | undefined): number {
  if (value === undefined) return os.availableParallelism();
  const workers = Number(value);
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS) {
    throw new UsageError(`--workers takes a whole number from 1 to ${MAX_WORKERS}, not "${value}"`, '--workers 1 runs the suites one after another');
  }
  return workers;
}

/**
 * The passes of a run, in order: every suite's cases side by side, but those that declare `alone`
 * (what they hold the server to a time for, or how they load the machine), which then run one
 * at a time with nothing beside them. One worker, or a target the CLI started (one server that
 * every suite would share: its connections, its output, its exit), runs every case one after
 * another in the suites' order, in one pass.
 */
export function suitePasses(suites: readonly Suite[], workers: number, sharedTarget: boolean): SuitePass[] {
  if (workers === 1 || sharedTarget) return [{ files: suites.map((s) => s.file), workers: 1 }];
  const filesWith = (part: Part) => suites.filter((s) => s.cases.some((c) => inPart(c, part))).map((s) => s.file);
  const together = filesWith('together');
  const passes = [
    { files: together, workers: Math.min(workers, together.length), part: 'together' as const },
    { files: filesWith('alone'), workers: 1, part: 'alone' as const },
  ];
  return passes.filter((pass) => pass.files.length > 0);
}

/**
 * The passes' jest results as one run's: counts summed, files listed in the order they ran. No
 * pass (every suite skipped before jest) is a run of no file.
 */
export function joinResults(results: readonly AggregatedResult[]): AggregatedResult {
  const [first, ...rest] = results;
  if (!first) return NO_FILE_RUN;
  return rest.reduce<AggregatedResult>((joined, next) => {
    const sum = Object.fromEntries(
      Object.entries(next)
        .filter(([key, value]) => key.startsWith('num') && typeof value === 'number')
        .map(([key, value]) => [key, (joined[key as keyof AggregatedResult] as number) + (value as number)]),
    );
    return { ...joined, ...sum, success: joined.success && next.success, testResults: [...joined.testResults, ...next.testResults] };
  }, first);
}

/** What the run reads of jest's results when jest ran no file. */
const NO_FILE_RUN = { success: true, numTotalTestSuites: 0, numRuntimeErrorTestSuites: 0, numFailedTests: 0, testResults: [] } as unknown as AggregatedResult;

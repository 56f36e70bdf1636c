import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { isFlaky, type OutcomeRecord } from './outcome-record';
import { failsRun } from './verdict';
import { ruleResults, type RuleResult } from './rule-results';
import { UNSCALED, type TimeScale } from '../vocabulary/time-scale';
import type { CaptureMode } from '../capture/case-capture';

/** Bumped only when a field changes meaning or goes away; new fields may appear in any version. */
export const RESULTS_FORMAT = 1;

export interface ResultsFile {
  format: typeof RESULTS_FORMAT;
  target: string;
  strict: boolean;
  finishedAt: string;
  /** The run's seed: `sockspec run --seed SEED` makes the same random choices (absent when no case ran). */
  seed?: number;
  /** What the run multiplied every deadline and tolerance by (--time-scale; 1: as the suites say). */
  timeScale: number;
  /** Present when the run had no step or case deadline (--no-timeouts). */
  noTimeouts?: true;
  /** Present when the run was interrupted (Ctrl-C): the cases are those that ended before. */
  interrupted?: true;
  /** Present when the run keeps packet captures (`mode`: of failed cases, or all), or was to and cannot (`unavailable`: why). */
  capture?: RunCaptures;
  /** `errors`: cases a mistake in the suite stopped (not the server's failures, not in `failed`). */
  totals: { cases: number; passed: number; failed: number; tolerated: number; skipped: number; errors: number };
  cases: ResultEntry[];
  /** The rules the cases cite, each with those cases and its verdict in this run. */
  rules: RuleResult[];
}

export interface ResultEntry {
  /** `suite/case-id`: stable across versions, the key baselines use. */
  id: string;
  suite: string;
  case: string;
  title: string;
  level: OutcomeRecord['level'];
  /** `client` for a case of a client suite (sockspec played the server); absent for a server case. */
  peer?: OutcomeRecord['peer'];
  ref: string;
  verdict: OutcomeRecord['verdict'] | 'info';
  durationMs: number;
  notes: string[];
  reason?: string;
  message?: string;
  /** The ids of the rules the case cites. */
  rules?: string[];
  /** A failure charged to one rule (the failing step's `rule:`, or the case's only rule), as its catalogue words it. */
  rule?: OutcomeRecord['rule'];
  /** The case failed setting up: the rules its steps name, whose checks were not reached. */
  precondition?: string[];
  transcript?: OutcomeRecord['transcript'];
  /** For failed cases: the lines the server printed while the case ran (command and container targets). */
  serverOutput?: string[];
  /** With --repeat N (N > 1): the case ran N times (`runs`) and passed `passed` of them. */
  runs?: number;
  passed?: number;
  /** The case both passed and failed: some of its --repeat runs, or a failure --retries ran again. */
  flaky?: true;
  /** What a capacity case measured, raw (the series the report draws). */
  measurements?: OutcomeRecord['measurements'];
  /** The case's packet capture and TLS key log (--capture), relative to the reports folder. */
  capture?: { pcap: string; keys?: string };
  /** For failed cases with a capture: their first packets, ms from the case's start (the report's packet lane). */
  packets?: OutcomeRecord['packets'];
}

/** The folder of the reports folder that holds the kept captures: captures/SUITE/CASE.pcap. */
export const CAPTURES_FOLDER = 'captures';

/** What a run did about packet captures. */
export interface RunCaptures {
  mode?: CaptureMode;
  unavailable?: string;
}

/** `info` cases report measurements; their verdict is `info` whatever happened, so nobody gates on it. */
export function resultsOf(records: readonly OutcomeRecord[], target: string, strict: boolean, interrupted = false, timeScale: TimeScale = UNSCALED, captures: RunCaptures = {}, reportsDir = '.'): ResultsFile {
  const cases = records.map(
    (r): ResultEntry => ({
      id: `${r.suite}/${r.caseId}`,
      suite: r.suite,
      case: r.caseId,
      title: r.title,
      level: r.level,
      peer: r.peer,
      ref: r.ref,
      verdict: r.level === 'info' && r.verdict !== 'skip' ? 'info' : r.verdict,
      durationMs: r.durationMs,
      notes: r.notes,
      reason: r.reason,
      message: r.message,
      rules: r.rules,
      rule: r.rule,
      precondition: r.precondition,
      transcript: r.transcript,
      serverOutput: r.serverOutput,
      runs: r.runs,
      passed: r.passed,
      flaky: isFlaky(r) || r.flaky ? true : undefined,
      measurements: r.measurements,
      capture: r.capture && relativeFiles(r.capture, reportsDir),
      packets: r.packets,
    }),
  );
  return {
    format: RESULTS_FORMAT,
    target,
    strict,
    finishedAt: new Date().toISOString(),
    // Every case of a run has the run's seed.
    seed: records.find((r) => r.seed !== undefined)?.seed,
    timeScale: timeScale.factor,
    ...(timeScale.noTimeouts ? { noTimeouts: true as const } : {}),
    ...(interrupted ? { interrupted: true as const } : {}),
    ...(captures.mode || captures.unavailable ? { capture: captures } : {}),
    totals: {
      cases: records.length,
      passed: records.filter((r) => r.verdict === 'pass').length,
      failed: records.filter((r) => failsRun(r, strict) && !r.suiteError).length,
      tolerated: records.filter((r) => r.verdict === 'fail' && !failsRun(r, strict)).length,
      skipped: records.filter((r) => r.verdict === 'skip').length,
      errors: records.filter((r) => r.suiteError).length,
    },
    cases,
    rules: ruleResults(records),
  };
}

/** A kept capture's files as the reports folder's readers open them: relative to it. */
function relativeFiles(files: NonNullable<OutcomeRecord['capture']>, reportsDir: string): { pcap: string; keys?: string } {
  const relative = (file: string) => path.relative(reportsDir, file).split(path.sep).join('/');
  return { pcap: relative(files.pcap), keys: files.keys && relative(files.keys) };
}

export function writeResults(dir: string, results: ResultsFile): string {
  const file = path.join(dir, 'results.json');
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}

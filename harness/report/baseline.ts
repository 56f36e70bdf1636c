import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { ResultEntry, ResultsFile } from './results-json';

/**
 * A baseline records, per case id, the verdict a team accepts for now and why. With it a run fails
 * only on regressions (a case expected to pass that fails); known failures stay allowed and cases
 * that start passing are reported, so the baseline can be tightened.
 */
export const BASELINE_FORMAT = 1;

export interface BaselineEntry {
  verdict: 'pass' | 'fail' | 'skip' | 'info';
  reason?: string;
}

export interface Baseline {
  format: typeof BASELINE_FORMAT;
  cases: Record<string, BaselineEntry>;
}

export class BaselineError extends Error {
  readonly code = 'EBASELINE';
}

export interface GateResult {
  /** Failed, though the baseline expects a pass (or does not know the case). */
  regressions: ResultEntry[];
  /** Failed, as the baseline expects. */
  knownFailures: ResultEntry[];
  /** Passed, though the baseline expects a failure. */
  unexpectedPasses: ResultEntry[];
}

export function readBaseline(file: string): Baseline {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new BaselineError(`cannot read the baseline ${file}: ${(err as Error).message}`);
  }
  const baseline = data as Baseline;
  if (baseline?.format !== BASELINE_FORMAT || typeof baseline.cases !== 'object' || baseline.cases === null) {
    throw new BaselineError(`${file} is not a sockspec baseline (expected {"format": ${BASELINE_FORMAT}, "cases": {...}})`);
  }
  return baseline;
}

/** `failing` says which results count as failures (a `should` only with --strict). */
export function gate(results: ResultsFile, baseline: Baseline, failing: (entry: ResultEntry) => boolean): GateResult {
  const outcome: GateResult = { regressions: [], knownFailures: [], unexpectedPasses: [] };
  for (const entry of results.cases) {
    const expected = baseline.cases[entry.id]?.verdict ?? 'pass';
    if (failing(entry)) (expected === 'fail' ? outcome.knownFailures : outcome.regressions).push(entry);
    else if (entry.verdict === 'pass' && expected === 'fail') outcome.unexpectedPasses.push(entry);
  }
  return outcome;
}

/**
 * The baseline this run would make: its verdicts, the reasons already written for unchanged
 * ones, and the entries of cases this run did not include (--suite, --filter, --shard) as they were.
 */
export function baselineOf(results: ResultsFile, previousFile: string): Baseline {
  const previous = existsSync(previousFile) ? readBaseline(previousFile) : undefined;
  const cases: Record<string, BaselineEntry> = { ...previous?.cases };
  for (const entry of results.cases) {
    const verdict = entry.verdict;
    const kept = previous?.cases[entry.id];
    const reason = kept?.verdict === verdict ? kept.reason : verdict === 'fail' ? 'failing when the baseline was written' : undefined;
    cases[entry.id] = reason ? { verdict, reason } : { verdict };
  }
  const sorted = Object.fromEntries(Object.entries(cases).sort(([a], [b]) => a.localeCompare(b)));
  return { format: BASELINE_FORMAT, cases: sorted };
}

export function writeBaseline(file: string, baseline: Baseline): void {
  writeFileSync(file, `${JSON.stringify(baseline, null, 2)}\n`);
}

export function gateLines(result: GateResult): string[] {
  const list = (title: string, entries: ResultEntry[]) => (entries.length ? [title, ...entries.map((e) => `  ${e.id}`)] : []);
  return [
    ...list('regressions (expected to pass, failed):', result.regressions),
    ...list('known failures (allowed by the baseline):', result.knownFailures),
    ...list('unexpected passes (the baseline expects a failure; update it with --update-baseline):', result.unexpectedPasses),
  ];
}

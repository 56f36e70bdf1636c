import type { LatencyMeasurement, RampMeasurement, RateMeasurement, ThroughputMeasurement, Measurement } from '../../harness/vocabulary/measurement';
import { RESULTS_FORMAT, type ResultEntry, type ResultsFile } from '../../harness/report/results-json';

/*
 * Synthetic capacity measurements for the report's tests: numbers chosen so that where the charts
 * must put things is known (the ramp breaks half-way through its time; p99 is 2 nines of 4).
 */

/** 8 more connections every 10 ms up to 1,016 (at 1,270 ms, half of 2,540 ms), then EMFILE and flat. */
export function rampBreakingAt1016(): RampMeasurement {
  const series = Array.from({ length: 255 }, (_, i) => ({ atMs: i * 10, open: Math.min(i, 127) * 8 }));
  return { kind: 'ramp', label: '10,000 connections', target: 10_000, held: 1016, series, broke: { after: 1016, how: 'emfile-harness', detail: 'EMFILE: too many open files, socket' }, durationMs: 2540 };
}

/** A ramp that reaches its target of 10,000, in `points` steps. */
export function rampHolding(points = 100): RampMeasurement {
  const series = Array.from({ length: points }, (_, i) => ({ atMs: i * (5000 / (points - 1)), open: Math.round((i * 10_000) / (points - 1)) }));
  return { kind: 'ramp', label: '10,000 connections', target: 10_000, held: 10_000, series, durationMs: 5000 };
}

export function latencyCurve(): LatencyMeasurement {
  const percentiles = [
    { p: 0, ms: 0.05 }, { p: 25, ms: 0.12 }, { p: 50, ms: 0.21 }, { p: 75, ms: 0.3 }, { p: 90, ms: 0.42 },
    { p: 95, ms: 0.55 }, { p: 99, ms: 0.84 }, { p: 99.9, ms: 2.6 }, { p: 99.99, ms: 7.9 }, { p: 100, ms: 12.5 },
  ];
  return { kind: 'latency', label: 'echo round trip', offeredPerSecond: 10_000, concurrency: 100, samples: 300_000, errors: 0, percentiles, maxMs: 12.5 };
}

export function throughput(streams: number, unverified = 0): ThroughputMeasurement {
  return {
    kind: 'throughput',
    label: `${streams} stream${streams === 1 ? '' : 's'}`,
    streams: Array.from({ length: streams }, (_, i) => ({ direction: 'echo' as const, bytes: 300 * 2 ** 20, durationMs: 2000, bitsPerSecond: 1.2e9 / streams, verified: i >= unverified })),
  };
}

/** 20 intervals of 100 ms with 50 connections each: 500 a second. */
export function rateSeries(intervals = 20): RateMeasurement {
  const series = Array.from({ length: intervals }, (_, i) => ({ atMs: (i + 1) * 100, completed: 50 }));
  return { kind: 'rate', label: 'connect, echo, close', completed: 50 * intervals, failed: 0, perSecond: 500, series, durationMs: intervals * 100 };
}

/** A results file of info cases in the suite `capacity`, one per entry, and a plain passed case. */
export function capacityResults(target: string, cases: Record<string, Measurement[]>): ResultsFile {
  const entry = (id: string, measurements?: Measurement[]): ResultEntry => ({
    id: `capacity/${id}`, suite: 'capacity', case: id, title: id, level: measurements ? 'info' : 'must', ref: 'issue 15', verdict: measurements ? 'info' : 'pass', durationMs: 3000, notes: [], measurements,
  });
  const entries = [...Object.entries(cases).map(([id, m]) => entry(id, m)), entry('harness-limits')];
  return {
    format: RESULTS_FORMAT, target, strict: false, finishedAt: '2026-12-06T23:59:00.000Z', timeScale: 1,
    totals: { cases: entries.length, passed: 1, failed: 0, tolerated: 0, skipped: 0, errors: 0 },
    cases: entries,
    rules: [],
  };
}

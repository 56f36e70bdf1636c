import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ResultsFile } from '../harness/report/results-json';
import { captureUnavailable } from '../harness/capture/tools';
import { BIN } from './processes';
import type { BenchRow } from './table';

/** docs/capture.md, issue #16: --capture costs at most this much more wall time on the whole builtin run. */
const MAX_EXTRA = 0.15;

interface CaptureRun {
  wallMs: number;
  results: ResultsFile;
  /** Files and bytes the run kept under reports/captures. */
  files: number;
  bytes: number;
}

/**
 * The whole builtin run (every bundled suite, side by side as `sockspec run` does by default)
 * without captures, with `--capture` (failed cases only: nothing kept when all pass) and with
 * `--capture all`, in this one bench run; the run without is measured before and after, and the
 * mean of the two is the peer, since the machine's load drifts.
 */
export function benchCapture(): BenchRow[] {
  const unavailable = captureUnavailable();
  if (unavailable) return [{ name: 'whole builtin run, --capture', value: `not measured: ${unavailable}`, peer: '-', comparison: '-', target: `<= +${MAX_EXTRA * 100}% wall`, met: undefined }];
  const load = os.loadavg()[0];
  const before = capturedRun('off');
  const failed = capturedRun('failed');
  const all = capturedRun('all');
  const after = capturedRun('off');
  const withoutMs = (before.wallMs + after.wallMs) / 2;
  const extra = (run: CaptureRun) => run.wallMs / withoutMs - 1;
  // The machine's load at the start, which the wall times depend on.
  const peer = `without ${seconds(withoutMs)} (${seconds(before.wallMs)} before, ${seconds(after.wallMs)} after), load ${load.toFixed(1)}`;
  const cases = (run: CaptureRun) => `${run.results.cases.length} cases${run.results.totals.failed ? `, ${run.results.totals.failed} FAILED` : ''}`;
  return [
    {
      name: 'whole builtin run, --capture (failed only)',
      value: `${seconds(failed.wallMs)}, ${cases(failed)}, kept ${failed.files} files`,
      peer,
      comparison: `${percent(extra(failed))} wall`,
      target: `<= +${MAX_EXTRA * 100}% wall, nothing kept for passed cases`,
      // Every file kept belongs to a failed case.
      met: extra(failed) <= MAX_EXTRA && failed.files === keptForFailures(failed),
    },
    {
      name: 'whole builtin run, --capture all',
      value: `${seconds(all.wallMs)}, ${cases(all)}, kept ${all.files} files, ${(all.bytes / 1024 / 1024).toFixed(0)} MiB`,
      peer,
      comparison: `${percent(extra(all))} wall`,
      target: 'reported',
      met: undefined,
    },
  ];
}

/** Files a run keeps for its failed cases: a pcap each, and a key log for a TLS one. */
function keptForFailures(run: CaptureRun): number {
  return run.results.cases.filter((c) => c.verdict === 'fail' && c.capture).reduce((n, c) => n + (c.capture?.keys ? 2 : 1), 0);
}

function capturedRun(mode: 'off' | 'failed' | 'all'): CaptureRun {
  const reports = mkdtempSync(path.join(os.tmpdir(), 'sockspec-bench-'));
  try {
    const started = performance.now();
    const child = spawnSync(process.execPath, [BIN, 'run', '--reports', reports, '--capture', mode], { stdio: 'ignore' });
    const wallMs = performance.now() - started;
    // Exit 1 is a failed case: still a whole run, and the row says how many failed.
    if (child.status !== 0 && child.status !== 1) throw new Error(`sockspec run --capture ${mode} exited with ${child.status ?? child.signal}`);
    const kept = filesUnder(path.join(reports, 'captures'));
    return { wallMs, results: JSON.parse(readFileSync(path.join(reports, 'results.json'), 'utf8')) as ResultsFile, files: kept.length, bytes: kept.reduce((sum, file) => sum + statSync(file).size, 0) };
  } finally {
    rmSync(reports, { recursive: true, force: true });
  }
}

function filesUnder(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => (entry.isDirectory() ? filesUnder(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function percent(fraction: number): string {
  return `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(0)}%`;
}

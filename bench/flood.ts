import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BIN, ROOT } from './processes';
import { runMeasuringPeakRss } from './peak-rss';
import type { BenchRow } from './table';

const MiB = 1024 * 1024;
/** docs/limits.md: the harness's bound on the bundled suites, against any server. */
const BOUND = 512 * MiB;

/**
 * The chat suite against a server that floods every connection with an endless line
 * (fixtures/hostile/flood-server.js), next to the same suite against the reference server: the
 * harness's peak RSS, which the flood may raise by its bounded per-connection window only.
 */
export async function benchFloodRss(): Promise<BenchRow> {
  const flood = await peakRss(['--cmd', `node ${path.join(ROOT, 'fixtures', 'hostile', 'flood-server.js')} {port}`]);
  const reference = await peakRss([]);
  return {
    name: 'harness peak RSS, chat suite vs a flooding server',
    value: `${(flood / MiB).toFixed(0)} MiB`,
    peer: `reference server ${(reference / MiB).toFixed(0)} MiB`,
    comparison: `${flood >= reference ? '+' : ''}${((flood - reference) / MiB).toFixed(0)} MiB`,
    target: '<= 512 MiB',
    met: flood <= BOUND,
  };
}

async function peakRss(target: string[]): Promise<number> {
  const reports = mkdtempSync(path.join(os.tmpdir(), 'sockspec-bench-'));
  try {
    const run = await runMeasuringPeakRss(BIN, ['run', '--suite', 'chat', ...target, '--reports', reports]);
    // 0: the reference passes; 1: the flood fails every case. Anything else is not a measurement.
    if (run.code !== 0 && run.code !== 1) throw new Error(`sockspec run ${target.join(' ')} ended with code ${run.code}`);
    return run.peakRss;
  } finally {
    rmSync(reports, { recursive: true, force: true });
  }
}

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface MeasuredRun {
  code: number;
  stdout: string;
  /** The sockspec process's peak resident set (VmHWM), in bytes, as last read before it exited. */
  peakRss: number;
}

/**
 * Runs the built `sockspec` command (`bin`: bin/sockspec.js, found from the caller's own location,
 * the sources or dist/) with `args`, reading its peak RSS from /proc until it exits.
 * VmHWM only grows, so the last reading is the peak up to at most 100 ms before the exit.
 */
export function runMeasuringPeakRss(bin: string, args: string[]): Promise<MeasuredRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let peakRss = 0;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.resume();
    const sample = setInterval(() => {
      try {
        const kib = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (kib) peakRss = Math.max(peakRss, Number(kib[1]) * 1024);
      } catch {
        // It has just exited.
      }
    }, 100);
    child.on('exit', (code) => {
      clearInterval(sample);
      resolve({ code: code ?? -1, stdout, peakRss });
    });
  });
}

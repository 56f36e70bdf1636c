import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LoadDrivers } from '../harness/load/drivers';
import { driversFor } from '../harness/load/limits';
import { ramp, throughput } from '../harness/load/measure';
import { freePort } from '../harness/targets/free-port';
import { ROOT, startProcess, type ServerProcess } from './processes';
import type { BenchRow } from './table';

const MiB = 1024 * 1024;
const CONNECTIONS = 10_000;
/** docs/capacity.md: the harness holds 10,000 verified connections in at most 10 s, within 512 MiB. */
const TIME_BOUND_MS = 10_000;
const RSS_BOUND = 512 * MiB;
const STREAM_BYTES = 256 * MiB;
const IPERF_SECONDS = 5;
/** An echo carries every byte twice, through a Node server, each byte checked: a fifth of iperf3's one-way stream is the bar. */
const THROUGHPUT_SHARE = 0.2;

/** `sockspec serve echo-tcp` without its idle timeout: the ramp holds its connections idle. */
function referenceEcho(): Promise<ServerProcess> {
  return startProcess(process.execPath, [path.join(ROOT, 'bin', 'sockspec.js'), 'serve', 'echo-tcp', '--no-idle-timeout'], /listening on 127\.0\.0\.1:(\d+)/);
}

/** Resident set of a process now, in bytes (0 once it has gone). */
function rss(pid: number): number {
  try {
    const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return kib ? Number(kib[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * The harness's 10,000 verified connections against the reference echo (a process of its own):
 * the time from the first connect to the last verified echo, and the peak of the harness's RSS,
 * this process and its load drivers summed, sampled every 50 ms. The echo's own RSS holding them
 * is the yardstick.
 */
export async function benchTenThousandConnections(): Promise<BenchRow> {
  const server = await referenceEcho();
  const plan = driversFor(CONNECTIONS);
  if ('problem' in plan) throw new Error(plan.problem);
  const drivers = await LoadDrivers.start(plan.drivers);
  let harnessPeak = 0;
  let serverPeak = 0;
  const sampler = setInterval(() => {
    harnessPeak = Math.max(harnessPeak, rss(process.pid) + drivers.pids.reduce((sum, pid) => sum + rss(pid), 0));
    serverPeak = Math.max(serverPeak, rss(server.pid));
  }, 50);
  try {
    const { measurement } = await ramp(drivers, { host: '127.0.0.1', port: server.port, connections: CONNECTIONS, perSecond: 10_000, connectTimeoutMs: 5000, holdMs: 0, verifyTimeoutMs: 5000 });
    if (measurement.held !== CONNECTIONS) throw new Error(`the ramp held ${measurement.held} of ${CONNECTIONS}${measurement.broke ? ` (${measurement.broke.how}: ${measurement.broke.detail})` : ''}`);
    return {
      name: `harness ${CONNECTIONS / 1000}k verified connections (reference echo)`,
      value: `${(measurement.durationMs / 1000).toFixed(1)} s, ${(harnessPeak / MiB).toFixed(0)} MiB RSS (${plan.drivers} drivers)`,
      peer: `reference echo holding them: ${(serverPeak / MiB).toFixed(0)} MiB RSS`,
      comparison: `${(harnessPeak / Math.max(serverPeak, 1)).toFixed(1)}x its RSS`,
      target: '<= 10 s, <= 512 MiB',
      met: measurement.durationMs <= TIME_BOUND_MS && harnessPeak <= RSS_BOUND,
    };
  } finally {
    clearInterval(sampler);
    await drivers.stop();
    server.stop();
  }
}

/**
 * One stream through the reference echo (256 MiB, every byte checked) against iperf3's one-way
 * loopback stream on this machine, measured in the same run. Undefined without iperf3.
 */
export async function benchStreamVersusIperf(): Promise<BenchRow | undefined> {
  const iperf = await iperf3Loopback().catch(() => undefined);
  if (iperf === undefined) return undefined;
  const server = await referenceEcho();
  const drivers = await LoadDrivers.start(1);
  try {
    const { measurement, problems } = await throughput(drivers, { host: '127.0.0.1', port: server.port, streams: 1, bytes: STREAM_BYTES, seed: 'bench', timeoutMs: 60_000 });
    if (problems.length) throw new Error(problems[0]);
    const bits = measurement.streams[0].bitsPerSecond;
    return {
      name: 'harness single-stream throughput (256 MiB echoed, verified)',
      value: `${(bits / 1e9).toFixed(2)} Gbit/s`,
      peer: `iperf3 loopback ${(iperf / 1e9).toFixed(2)} Gbit/s`,
      comparison: `${(bits / iperf).toFixed(2)} of iperf3`,
      target: `>= ${THROUGHPUT_SHARE} of iperf3`,
      met: bits / iperf >= THROUGHPUT_SHARE,
    };
  } finally {
    await drivers.stop();
    server.stop();
  }
}

/** iperf3's received bits per second over one loopback stream for IPERF_SECONDS. */
async function iperf3Loopback(): Promise<number> {
  const port = await freePort('tcp');
  const server = spawn('iperf3', ['-s', '-1', '-B', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  try {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const json = await new Promise<string>((resolve, reject) =>
      execFile('iperf3', ['-c', '127.0.0.1', '-p', String(port), '-t', String(IPERF_SECONDS), '-J'], { maxBuffer: 16 * MiB }, (err, stdout) => (err ? reject(err) : resolve(stdout))),
    );
    return (JSON.parse(json) as { end: { sum_received: { bits_per_second: number } } }).end.sum_received.bits_per_second;
  } finally {
    server.kill('SIGKILL');
  }
}

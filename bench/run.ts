import { repeat, median } from './stats';
import { benchFaultProxy } from './faults';
import { benchChat } from './chat';
import { benchInstall } from './install';
import { benchBuiltinRun } from './builtin-run';
import { benchCapture } from './capture';
import { benchFloodRss } from './flood';
import { benchStreamVersusIperf, benchTenThousandConnections } from './capacity';
import { benchCertificateSet } from '../harness/certs/bench';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCase } from '../harness/run/run-case';
import type { Suite } from '../harness/suite/schema';
import { freePort } from '../harness/targets/free-port';
import { mbps, printTable, type BenchRow } from './table';
import { rawEchoRoundTrip } from './raw-client';
import { ROOT, startProcess, startReferenceEcho } from './processes';
import { timeToFirstCase } from './time-to-first-case';
import { referenceImage } from '../harness/containers/images';
import { dockerAvailable } from '../harness/containers/runtime';
import { loadSuite } from '../harness/suite/load';
import { BuiltinTarget } from '../harness/targets/builtin';
import { ContainerTarget } from '../harness/targets/container';

const MiB = 1024 * 1024;
const INTEGRITY_BYTES = 256 * MiB;
const WINDOW = 1024 * 1024;

/**
 * `npm run bench`: every figure next to its comparison peer, measured in this same run.
 * `npm run bench -- capture`: the --capture rows alone (four whole builtin runs).
 * `npm run bench -- builtin-run`: the whole builtin run's rows alone, parallel and serial.
 */
async function main(): Promise<void> {
  if (process.argv[2] === 'capture') return printTable(benchCapture());
  if (process.argv[2] === 'builtin-run') return printTable(benchBuiltinRun());
  const rows: BenchRow[] = [];
  rows.push(await harnessVersusRaw());
  rows.push(await referenceVersusSocat());
  rows.push(...benchBuiltinRun());
  rows.push(...benchCapture());
  rows.push(await containerFirstCase());
  rows.push(await benchFaultProxy());
  rows.push(await certificateGeneration());
  rows.push(...(await benchChat()));
  rows.push(await benchFloodRss());
  rows.push(await benchTenThousandConnections());
  const stream = await benchStreamVersusIperf();
  if (stream) rows.push(stream);
  rows.push(await benchInstall(ROOT));
  printTable(rows);
}

/** The same 256 MiB integrity check through a suite case and through a hand-written client. */
async function harnessVersusRaw(): Promise<BenchRow> {
  const server = await startReferenceEcho();
  try {
    const suite = integritySuite(INTEGRITY_BYTES);
    const endpoints = { 'echo-tcp': { host: '127.0.0.1', port: server.port, transport: 'tcp' as const } };
    const rawMs = median(await repeat(3, () => rawEchoRoundTrip(server.port, INTEGRITY_BYTES)));
    const harnessMs = median(
      await repeat(3, async () => {
        const outcome = await runCase(suite, suite.cases[0], endpoints);
        if (outcome.verdict !== 'pass') throw new Error(`integrity case failed: ${outcome.failure?.summary}`);
        return outcome.durationMs;
      }),
    );
    const ratio = rawMs / harnessMs;
    return {
      name: '256 MiB integrity case (echo-tcp)',
      value: `${mbps(INTEGRITY_BYTES, harnessMs).toFixed(0)} MiB/s`,
      peer: `raw Node client ${mbps(INTEGRITY_BYTES, rawMs).toFixed(0)} MiB/s`,
      comparison: `${ratio.toFixed(2)} of raw`,
      target: '>= 0.8 of raw',
      met: ratio >= 0.8,
    };
  } finally {
    server.stop();
  }
}

/**
 * The reference echo server against socat's PIPE echo, driven by the same raw client. The client
 * keeps at most 1 MiB in flight: socat's PIPE echo can deadlock on a full-duplex stream (it blocks
 * writing into its own pipe), which the echo-tcp suite's streaming-16m case reports.
 */
async function referenceVersusSocat(): Promise<BenchRow> {
  const bytes = 64 * MiB;
  const reference = await startReferenceEcho();
  const socatPort = await freePort('tcp');
  let socat;
  try {
    socat = await startProcess('socat', [`TCP-LISTEN:${socatPort},bind=127.0.0.1,reuseaddr,fork`, 'PIPE'], socatPort);
  } catch {
    reference.stop();
    return { name: 'reference TCP echo throughput', value: '-', peer: 'socat not installed', comparison: '-', target: '>= 1.5x socat', met: undefined };
  }
  try {
    const referenceMs = median(await repeat(3, () => rawEchoRoundTrip(reference.port, bytes, WINDOW, false)));
    // socat's PIPE can deadlock mid-stream; a stalled run is retried, not waited on forever.
    const socatMs = median(await repeat(3, () => retryOnStall(() => rawEchoRoundTrip(socatPort, bytes, WINDOW, false))));
    const ratio = socatMs / referenceMs;
    return {
      name: 'reference TCP echo throughput',
      value: `${mbps(bytes, referenceMs).toFixed(0)} MiB/s`,
      peer: `socat PIPE ${mbps(bytes, socatMs).toFixed(0)} MiB/s`,
      comparison: `${ratio.toFixed(2)}x socat`,
      target: '>= 1.5x socat',
      met: ratio >= 1.5,
    };
  } finally {
    reference.stop();
    socat.stop();
  }
}

/** The reference echo-tcp server in a container against the builtin one: start, then the first case's verdict. */
async function containerFirstCase(): Promise<BenchRow> {
  const row = { name: 'container start to first case (echo-tcp)', target: '<= 1.5 s' };
  if (!dockerAvailable()) return { ...row, value: '-', peer: 'no Docker engine', comparison: '-', met: undefined };
  const suite = loadSuite(path.join(ROOT, 'suites', 'echo-tcp.suite.yaml'));
  const image = await referenceImage('echo-tcp');
  const containerMs = await timeToFirstCase(() => new ContainerTarget(image), suite);
  const builtinMs = await timeToFirstCase(() => new BuiltinTarget(), suite);
  return {
    ...row,
    value: `${(containerMs / 1000).toFixed(2)} s`,
    peer: `builtin ${builtinMs.toFixed(0)} ms`,
    comparison: `+${(containerMs - builtinMs).toFixed(0)} ms`,
    met: containerMs <= 1500,
  };
}

function integritySuite(bytes: number): Suite {
  return {
    file: '<bench>',
    suite: 'bench',
    title: 'bench',
    service: 'echo-tcp',
    defaults: { stepTimeout: 5000, caseTimeout: 120_000 },
    cases: [
      {
        id: 'integrity',
        title: `${bytes} bytes`,
        requirement: 'echo',
        ref: 'RFC 862',
        steps: [{ connect: {} }, { send: { random: { bytes } } }, { expect: { sent: true } }, { 'half-close': {} }, { 'expect-close': {} }],
      },
    ],
  };
}

async function retryOnStall(measure: () => Promise<number>, attempts = 3, limitMs = 20_000): Promise<number> {
  for (let i = 1; ; i++) {
    const stalled = new Promise<number>((resolve) => setTimeout(() => resolve(NaN), limitMs).unref());
    const ms = await Promise.race([measure(), stalled]);
    if (!Number.isNaN(ms)) return ms;
    if (i === attempts) throw new Error(`stalled ${attempts} times`);
  }
}

/** A full certificate set from nothing, against openssl making one self-signed RSA-2048 certificate. */
async function certificateGeneration(): Promise<BenchRow> {
  const ours = median(await repeat(3, async () => (await benchCertificateSet()).ms));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sockspec-bench-'));
  let peer: number | undefined;
  try {
    const started = performance.now();
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1', '-keyout', path.join(dir, 'k.pem'), '-out', path.join(dir, 'c.pem')], { stdio: 'ignore' });
    peer = performance.now() - started;
  } catch {
    peer = undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    name: 'certificate set, cold (10 certificates, 4 keys)',
    value: `${ours.toFixed(0)} ms`,
    peer: peer === undefined ? 'openssl not installed' : `openssl, 1 key + 1 certificate: ${peer.toFixed(0)} ms`,
    comparison: '-',
    target: '<= 1000 ms',
    met: ours <= 1000,
  };
}

main().catch((err) => {
  process.stderr.write(`bench failed: ${(err as Error).stack ?? err}\n`);
  process.exitCode = 1;
});

import { startFaultProxy } from '../harness/faults/proxy';
import { startReferenceEcho } from './processes';
import { rawEchoRoundTrip } from './raw-client';
import { mbps, type BenchRow } from './table';
import { median } from './stats';

const MiB = 1024 * 1024;
const BYTES = 64 * MiB;
const RUNS = 3;
const TARGET_RATIO = 0.7;

/**
 * The fault proxy's own cost: 64 MiB each way, full duplex, through the proxy with no toxics against
 * the same client straight to the same echo server. The echo runs in its own process, as a target
 * does; the proxy shares the client's process, as it does in a run. Runs alternate so that a busy
 * moment on the machine hits both sides alike.
 */
export async function benchFaultProxy(): Promise<BenchRow> {
  const echo = await startReferenceEcho();
  const proxy = await startFaultProxy({ host: '127.0.0.1', port: echo.port });
  try {
    const direct: number[] = [];
    const proxied: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      direct.push(await rawEchoRoundTrip(echo.port, BYTES, Infinity, false));
      proxied.push(await rawEchoRoundTrip(proxy.port, BYTES, Infinity, false));
    }
    const directMs = median(direct);
    const proxiedMs = median(proxied);
    const ratio = directMs / proxiedMs;
    return {
      name: 'fault proxy throughput (no toxics)',
      value: `${mbps(BYTES, proxiedMs).toFixed(0)} MiB/s`,
      peer: `direct ${mbps(BYTES, directMs).toFixed(0)} MiB/s`,
      comparison: `${ratio.toFixed(2)} of direct`,
      target: `>= ${TARGET_RATIO} of direct`,
      met: ratio >= TARGET_RATIO,
    };
  } finally {
    await proxy.close();
    echo.stop();
  }
}

import net from 'node:net';
import { startFaultProxy } from '../harness/faults/proxy';
import { listenTcp } from '../harness/servers/listen';
import type { RunningServer } from '../harness/servers/running-server';
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
 * does; the proxy shares the client's process, as it does in a run. A bare pipe() relay in the same
 * place is measured too: the floor for any relay written in Node, so the row shows how much of the
 * gap is the proxy's and how much the extra hop's. Runs alternate so that a busy moment on the
 * machine hits all sides alike.
 */
export async function benchFaultProxy(): Promise<BenchRow> {
  const echo = await startReferenceEcho();
  const proxy = await startFaultProxy({ host: '127.0.0.1', port: echo.port });
  const relay = await pipeRelay(echo.port);
  try {
    const direct: number[] = [];
    const proxied: number[] = [];
    const piped: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      direct.push(await rawEchoRoundTrip(echo.port, BYTES, Infinity, false));
      proxied.push(await rawEchoRoundTrip(proxy.port, BYTES, Infinity, false));
      piped.push(await rawEchoRoundTrip(relay.port, BYTES, Infinity, false));
    }
    const directMs = median(direct);
    const proxiedMs = median(proxied);
    const ratio = directMs / proxiedMs;
    return {
      name: 'fault proxy throughput (no toxics)',
      value: `${mbps(BYTES, proxiedMs).toFixed(0)} MiB/s`,
      peer: `direct ${mbps(BYTES, directMs).toFixed(0)} MiB/s, pipe() relay ${mbps(BYTES, median(piped)).toFixed(0)} MiB/s`,
      comparison: `${ratio.toFixed(2)} of direct (pipe() relay ${(directMs / median(piped)).toFixed(2)})`,
      target: `>= ${TARGET_RATIO} of direct`,
      met: ratio >= TARGET_RATIO,
    };
  } finally {
    await Promise.all([proxy.close(), relay.close()]);
    echo.stop();
  }
}

/** The least a relay in Node can do: pipe() both ways, half-close passed on. */
function pipeRelay(port: number): Promise<RunningServer> {
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => {
    const upstream = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true, noDelay: true });
    client.pipe(upstream).on('error', () => client.destroy());
    upstream.pipe(client).on('error', () => upstream.destroy());
  });
  return listenTcp(server);
}

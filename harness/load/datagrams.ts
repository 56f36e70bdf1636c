import dgram from 'node:dgram';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { DatagramsResult, DatagramsTask } from './protocol';
import { until } from './until';

/*
 * A load driver's UDP measurement (driver-main.ts runs it): datagrams at a fixed rate from one
 * socket, each carrying its number in its first 4 bytes and a pattern of that number after, so
 * an echo says which datagram it answers and whether it came back intact.
 */

/** Bytes before the pattern: the datagram's number, big-endian. */
const HEADER = 4;

function datagram(n: number, size: number): Buffer {
  const buffer = Buffer.alloc(size);
  buffer.writeUInt32BE(n, 0);
  for (let i = HEADER; i < size; i++) buffer[i] = (n + i) & 0xff;
  return buffer;
}

export function datagrams(task: DatagramsTask): Promise<DatagramsResult> {
  const total = Math.floor((task.durationMs * task.perSecond) / 1000);
  const intervalMs = 1000 / task.perSecond;
  const socket = dgram.createSocket(net.isIPv6(task.host) ? 'udp6' : 'udp4');
  const back = new Uint8Array(total);
  const samples = new Float64Array(total);
  const result: DatagramsResult = { sent: 0, samples, wrong: 0 };
  let got = 0;
  /** Datagrams answered, in time or not. */
  let answered = 0;
  let start = 0;
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(timer);
      socket.close();
      resolve({ ...result, samples: samples.subarray(0, got) });
    };
    const wrong = (why: string) => {
      result.wrong++;
      result.firstWrong ??= why;
    };
    socket.on('error', (err) => {
      result.sendError ??= err.message;
    });
    socket.on('message', (echo: Buffer) => {
      const n = echo.length >= HEADER ? echo.readUInt32BE(0) : -1;
      if (n < 0 || n >= total || n >= result.sent) return wrong(`an echo of ${echo.length} B that answers no datagram sent`);
      if (back[n]) return wrong(`datagram ${n} came back twice`);
      if (!echo.equals(datagram(n, task.size))) return wrong(`datagram ${n} came back changed (${echo.length} of ${task.size} B)`);
      back[n] = 1;
      const ms = performance.now() - (start + n * intervalMs);
      // Later than the timeout is lost, as if it had not come: the percentiles are of those that came in time.
      if (ms <= task.timeoutMs) samples[got++] = ms;
      if (++answered === total) finish();
    });
    socket.connect(task.port, task.host, async () => {
      start = performance.now();
      for (let n = 0; n < total && result.sendError === undefined; n++) {
        await until(start + n * intervalMs);
        socket.send(datagram(n, task.size));
        result.sent++;
      }
      timer = setTimeout(finish, Math.max(0, start + total * intervalMs - performance.now()) + task.timeoutMs);
    });
  });
}

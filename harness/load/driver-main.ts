import net from 'node:net';
import { performance } from 'node:perf_hooks';
import type { RampBreak } from '../vocabulary/measurement';
import { joinRoom, leaveRoom, talk } from './chat-room';
import { datagrams } from './datagrams';
import { seededBytes } from './seeded-bytes';
import { until } from './until';
import type {
  DriverMessage, HaltMessage, LatencyResult, LatencyTask, RampResult, RampTask, RateResult, RateTask, StreamResult, TaskMessage, TaskResult, ThroughputTask, VerifyResult, VerifyTask,
} from './protocol';

/*
 * A load driver: a child process (drivers.ts forks it) that opens and drives connections as told
 * over IPC, so that ten thousand client sockets live neither in the jest worker (which may hold
 * the builtin target's ten thousand server sockets) nor on its event loop. It exits when its
 * parent goes away: the IPC channel closing is the signal, whatever killed the parent.
 */

/** How often the ramp tells the parent how many connections are open (the held-over-time series). */
const PROGRESS_EVERY_MS = 50;
/** Connects under way at once, at most: a server that stops accepting must not gather a flood of pending ones. */
const MAX_PENDING_CONNECTS = 256;
/** How often the ramp opens the connections that have come due. */
const RAMP_TICK_MS = 5;

/** The ramp's connections, held between the ramp, its verification and the release. */
const held = new Set<net.Socket>();
/** What keeps the held connections from idling out until their verification. */
let keepAlive: NodeJS.Timeout | undefined;
const KEEP_ALIVE = Buffer.from('\n');
/** The first close or error of a held connection the server caused, while the ramp runs. */
let heldLost: { how: RampBreak; detail: string } | undefined;
/** Held connections the server closed or reset since the ramp began, and how the first went: the verification reports them. */
let dropped = { count: 0, detail: '' };
let halted = false;

function send(message: DriverMessage): void {
  process.send?.(message);
}

process.on('disconnect', () => process.exit(0));
process.on('message', (message: TaskMessage | HaltMessage) => {
  if ('halt' in message) {
    halted = true;
    return;
  }
  halted = false;
  run(message).then(
    (result) => send({ id: message.id, result }),
    (err: unknown) => send({ id: message.id, error: err instanceof Error ? err.message : String(err) }),
  );
});
send({ ready: true });

function run({ run: task }: TaskMessage): Promise<TaskResult> {
  switch (task.task) {
    case 'ramp':
      return ramp(task);
    case 'verify':
      clearInterval(keepAlive);
      return verify(task);
    case 'release': {
      clearInterval(keepAlive);
      const released = [...held];
      held.clear();
      for (const socket of released) socket.resetAndDestroy();
      leaveRoom();
      return Promise.resolve(null);
    }
    case 'rate':
      return rate(task);
    case 'throughput':
      return throughput(task);
    case 'latency':
      return latency(task);
    case 'room-join':
      return joinRoom(task);
    case 'room-talk':
      return talk(task);
    case 'datagrams':
      return datagrams(task);
  }
}

/** How a failed connect or a lost connection broke, from its error code. */
function breakOf(err: NodeJS.ErrnoException | undefined): RampBreak {
  switch (err?.code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'reset';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'EMFILE':
    case 'ENFILE':
      return 'emfile-harness';
    case 'EADDRNOTAVAIL':
      return 'ports';
    default:
      return 'other';
  }
}

function ramp(task: RampTask): Promise<RampResult> {
  heldLost = undefined;
  dropped = { count: 0, detail: '' };
  if (task.keepAliveMs) keepAlive = setInterval(() => held.forEach((socket) => socket.write(KEEP_ALIVE)), task.keepAliveMs);
  return new Promise((resolve) => {
    const start = performance.now();
    let started = 0;
    let pending = 0;
    let broke: { how: RampBreak; detail: string } | undefined;
    let lastReported = -1;
    const report = () => {
      if (held.size !== lastReported) send({ open: (lastReported = held.size) });
    };
    const progress = setInterval(report, PROGRESS_EVERY_MS);
    const finish = () => {
      clearInterval(tick);
      clearInterval(progress);
      report();
      resolve({ opened: held.size, broke: broke ?? heldLost });
    };
    const done = () => (broke !== undefined || heldLost !== undefined || halted || started === task.count) && pending === 0;
    const open = () => {
      started++;
      pending++;
      const socket = net.connect({ host: task.host, port: task.port });
      const timer = setTimeout(() => socket.destroy(Object.assign(new Error(`no answer to the connect within ${task.connectTimeoutMs} ms`), { code: 'ETIMEDOUT' })), task.connectTimeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        pending--;
        held.add(socket);
        watchHeld(socket);
        if (done()) finish();
      });
      socket.once('error', (err: NodeJS.ErrnoException) => {
        if (held.has(socket)) return;
        clearTimeout(timer);
        pending--;
        broke ??= { how: breakOf(err), detail: `connection ${started}: ${err.message}` };
        if (done()) finish();
      });
    };
    const tick = setInterval(() => {
      const due = Math.min(task.count, Math.floor(((performance.now() - start) * task.perSecond) / 1000) + 1);
      while (started < due && pending < MAX_PENDING_CONNECTS && broke === undefined && heldLost === undefined && !halted) open();
      if (done()) finish();
    }, RAMP_TICK_MS);
  });
}

function discard(): void {}

/** A held connection the server closes or resets is no longer held; the first such loss breaks the ramp. */
function watchHeld(socket: net.Socket): void {
  // Until the verification reads them: the echoes of the keep-alive newlines.
  socket.on('data', discard);
  let lost: { how: RampBreak; detail: string } | undefined;
  socket.on('error', (err: NodeJS.ErrnoException) => {
    lost ??= { how: breakOf(err), detail: `an open connection was lost: ${err.message}` };
    heldLost ??= lost;
  });
  socket.on('end', () => {
    lost ??= { how: 'other', detail: 'the server closed an open connection (FIN) before its echo was checked' };
    heldLost ??= lost;
    socket.end();
  });
  socket.on('close', () => {
    // Still held: the server ended it, not the release.
    if (held.delete(socket) && lost) {
      dropped.count++;
      dropped.detail ||= lost.detail;
    }
  });
}

function verify(task: VerifyTask): Promise<VerifyResult> {
  const lost: VerifyResult['lost'] = {};
  const lose = (why: string, detail: string) => {
    lost[why] ??= { count: 0, detail };
    lost[why].count++;
  };
  let n = 0;
  const timeouts: (() => void)[] = [];
  const checks = [...held].map(
    (socket) =>
      new Promise<boolean>((resolve) => {
        const line = Buffer.from(`held ${process.pid}-${n++}\n`);
        socket.removeListener('data', discard);
        const chunks: Buffer[] = [];
        let got = 0;
        let settled = false;
        const settle = (ok: boolean) => {
          if (settled) return;
          settled = true;
          socket.removeListener('data', onData);
          socket.removeListener('close', onClose);
          resolve(ok);
        };
        const onData = (data: Buffer) => {
          // Echoes of keep-alive newlines still on their way come first.
          const chunk = got === 0 ? data.subarray(leadingNewlines(data)) : data;
          chunks.push(chunk);
          got += chunk.length;
          if (got < line.length) return;
          const back = Buffer.concat(chunks);
          if (back.equals(line)) return settle(true);
          lose('mismatch', `sent ${JSON.stringify(line.toString())}, got ${JSON.stringify(back.subarray(0, 64).toString())}`);
          settle(false);
        };
        const onClose = () => {
          lose('closed', 'the server closed the connection instead of echoing');
          settle(false);
        };
        socket.on('data', onData);
        socket.once('close', onClose);
        timeouts.push(() => {
          if (settled) return;
          lose('timeout', `no echo within ${task.timeoutMs} ms`);
          settle(false);
        });
        socket.write(line);
      }),
  );
  const timer = setTimeout(() => timeouts.forEach((fire) => fire()), task.timeoutMs);
  if (dropped.count) lost['dropped while held'] = { ...dropped };
  return Promise.all(checks).then((results) => {
    clearTimeout(timer);
    return { held: results.filter(Boolean).length, lost };
  });
}

function leadingNewlines(data: Buffer): number {
  let i = 0;
  while (i < data.length && data[i] === 0x0a) i++;
  return i;
}

/** One connect, a line echoed, a close; resolves with the failure's text, or undefined. */
function oneRoundTrip(task: { host: string; port: number; timeoutMs: number }, line: Buffer): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: task.host, port: task.port });
    let got = Buffer.alloc(0);
    const settle = (problem: string | undefined) => {
      clearTimeout(timer);
      socket.removeAllListeners('data');
      if (problem === undefined) socket.end();
      else socket.destroy();
      resolve(problem);
    };
    const timer = setTimeout(() => settle(`no echo within ${task.timeoutMs} ms`), task.timeoutMs);
    socket.on('connect', () => socket.write(line));
    socket.on('data', (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (got.length >= line.length) settle(got.equals(line) ? undefined : `the echo differs: ${JSON.stringify(got.subarray(0, 64).toString())}`);
    });
    socket.on('error', (err) => settle(err.message));
    socket.on('close', () => settle('the server closed the connection before echoing'));
  });
}

async function rate(task: RateTask): Promise<RateResult> {
  const start = performance.now();
  const end = start + task.durationMs;
  const buckets = new Array<number>(Math.ceil(task.durationMs / task.bucketMs)).fill(0);
  const result: RateResult = { completed: 0, failed: 0, buckets };
  const line = Buffer.from('rate\n');
  const client = async () => {
    while (performance.now() < end && !halted) {
      const problem = await oneRoundTrip(task, line);
      const at = performance.now();
      if (problem !== undefined) {
        result.failed++;
        result.firstFailure ??= problem;
      } else if (at <= end) {
        result.completed++;
        buckets[Math.min(buckets.length - 1, Math.floor((at - start) / task.bucketMs))]++;
      }
    }
  };
  await Promise.all(Array.from({ length: task.clients }, client));
  return result;
}

/** What a stream writes at once. */
const STREAM_CHUNK = 256 * 1024;
/**
 * How much a stream keeps queued in its socket: past Node's 16 KiB high-water mark, so that each
 * turn of the event loop writes a megabyte, not one chunk per 'drain'; the echo's flow control
 * does the rest.
 */
const STREAM_QUEUE = 1024 * 1024;

function throughput(task: ThroughputTask): Promise<StreamResult[]> {
  return Promise.all(Array.from({ length: task.streams }, (_, i) => stream(task, `${task.seed}/${i}`)));
}

function stream(task: ThroughputTask, seed: string): Promise<StreamResult> {
  return new Promise((resolve) => {
    const sent = seededBytes(seed);
    const expected = seededBytes(seed);
    const socket = net.connect({ host: task.host, port: task.port });
    let start = 0;
    let written = 0;
    let received = 0;
    const settle = (problem?: string) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ bytes: received, durationMs: start ? performance.now() - start : 0, verified: problem === undefined && received === task.bytes, ...(problem && { problem }) });
    };
    const timer = setTimeout(() => settle(`${received} of ${task.bytes} B came back within ${task.timeoutMs} ms`), task.timeoutMs);
    const write = () => {
      while (written < task.bytes && socket.writableLength < STREAM_QUEUE) {
        const chunk = sent.read(Math.min(STREAM_CHUNK, task.bytes - written));
        written += chunk.length;
        socket.write(chunk);
      }
      if (written < task.bytes) socket.once('drain', write);
    };
    socket.on('connect', () => {
      start = performance.now();
      write();
    });
    socket.on('data', (chunk: Buffer) => {
      const want = expected.read(chunk.length);
      if (!want.equals(chunk.subarray(0, want.length)) || chunk.length > want.length) {
        return settle(`the echo differs from what was sent within bytes ${received}..${received + chunk.length}`);
      }
      received += chunk.length;
      if (received === task.bytes) settle();
    });
    socket.on('error', (err) => settle(err.message));
    socket.on('close', () => settle(`the connection closed after ${received} of ${task.bytes} B came back`));
  });
}

async function latency(task: LatencyTask): Promise<LatencyResult> {
  const result: LatencyResult = { samples: [], errors: 0 };
  const line = Buffer.from('latency probe\n');
  const sockets = await Promise.all(Array.from({ length: task.clients }, () => connected(task)));
  const total = Math.floor((task.durationMs * task.perSecond) / 1000);
  const intervalMs = 1000 / task.perSecond;
  const start = performance.now();
  // Request i is due at start + i * interval, on client i % clients, which serves its requests in order.
  const clients = sockets.map((socket, c) => serve(socket, c));
  async function serve(socket: net.Socket | Error, c: number): Promise<void> {
    for (let i = c; i < total && !halted; i += task.clients) {
      const due = start + i * intervalMs;
      await until(due);
      const problem = socket instanceof Error ? socket.message : await roundTrip(socket, line, due + task.timeoutMs, task.timeoutMs);
      if (problem === undefined) result.samples.push(performance.now() - due);
      else {
        result.errors++;
        result.firstError ??= problem;
        if (!(socket instanceof Error)) socket.destroy();
        socket = new Error(problem);
      }
    }
  }
  await Promise.all(clients);
  for (const socket of sockets) if (!(socket instanceof Error)) socket.destroy();
  return result;
}


function connected(task: { host: string; port: number; timeoutMs: number }): Promise<net.Socket | Error> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: task.host, port: task.port });
    socket.setNoDelay(true);
    const timer = setTimeout(() => socket.destroy(new Error(`no answer to the connect within ${task.timeoutMs} ms`)), task.timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.on('error', () => undefined);
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      resolve(err);
    });
  });
}

/** One line echoed on an open connection; the failure's text, or undefined. */
function roundTrip(socket: net.Socket, line: Buffer, deadline: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    let got = Buffer.alloc(0);
    const settle = (problem: string | undefined) => {
      clearTimeout(timer);
      socket.removeListener('data', onData);
      socket.removeListener('close', onClose);
      resolve(problem);
    };
    const onData = (chunk: Buffer) => {
      got = Buffer.concat([got, chunk]);
      if (got.length >= line.length) settle(got.equals(line) ? undefined : `the echo differs: ${JSON.stringify(got.subarray(0, 64).toString())}`);
    };
    const onClose = () => settle('the server closed the connection');
    const timer = setTimeout(() => settle(`no echo within ${timeoutMs} ms of its due time`), Math.max(0, deadline - performance.now()));
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.write(line);
  });
}

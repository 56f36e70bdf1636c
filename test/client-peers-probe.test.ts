import { spawn } from 'node:child_process';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { PROBES, REAL_CLIENTS, type Probe, type RealClient } from '../fixtures/clients/echo/real-clients';
import { PYTHON } from '../fixtures/mutants/python';
import { ROOT } from './support/cli';
import { clientContract, verdictTable } from './support/verdict-table';
import { describeWithPrograms, hasProgram } from './support/tools';

/**
 * Common programs run as echo clients against small scripted servers: each probe observes what the
 * program does and names it (`pass` or what went wrong), and the verdicts must be the ones
 * fixtures/clients/echo/real-clients.ts records and docs/client-contract.md §3.9 shows.
 */

interface ClientRun {
  /** null: still running at the probe's limit, then killed. */
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

/** Stdin's bytes, ended once written, or `open`: stdin stays open until the client has exited. */
type Stdin = Buffer | 'open';

function runClient(command: string, port: number, stdin: Stdin, limitMs: number): Promise<ClientRun> {
  const line = command.replace(/^python3 -S /, `${PYTHON} `).replaceAll('{host}', '127.0.0.1').replaceAll('{port}', String(port));
  const child = spawn('sh', ['-c', `exec ${line}`], { cwd: ROOT, detached: true, stdio: 'pipe' });
  // A client that exits before reading all of stdin (refused, early FIN) breaks the pipe: expected.
  child.stdin.on('error', () => undefined);
  if (stdin !== 'open') child.stdin.end(stdin);
  const stdout: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (piece: Buffer) => stdout.push(piece));
  child.stderr.on('data', (piece: Buffer) => (stderr += piece.toString()));
  let killed = false;
  const limit = setTimeout(() => {
    killed = true;
    process.kill(-child.pid!, 'SIGKILL');
  }, limitMs);
  return new Promise((resolve) => {
    child.on('close', (code) => {
      clearTimeout(limit);
      child.stdin.destroy();
      resolve({ code: killed ? null : code, stdout: Buffer.concat(stdout), stderr });
    });
  });
}

/** A server on a free loopback port for one connection, closed after `use`. */
async function withServer<T>(onConnection: (socket: net.Socket) => void, use: (port: number) => Promise<T>): Promise<T> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    return await use((server.address() as net.AddressInfo).port);
  } finally {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** Everything the client sends, once its half-close has arrived. */
function untilHalfClose(socket: net.Socket): Promise<Buffer> {
  const received: Buffer[] = [];
  socket.on('data', (piece: Buffer) => received.push(piece));
  return new Promise((resolve) => socket.on('end', () => resolve(Buffer.concat(received))));
}

/** The verdict on a probe where the client must print `expected` and exit 0. */
function successVerdict(run: ClientRun, expected: Buffer): string {
  if (run.code === null) return 'hangs';
  if (!run.stdout.equals(expected)) return expected.subarray(0, run.stdout.length).equals(run.stdout) ? 'loses data' : 'changes data';
  return run.code === 0 ? 'pass' : `exits ${run.code}`;
}

/** The verdict on a probe where the client must fail: non-zero, one line on stderr. */
function errorVerdict(run: ClientRun): string {
  if (run.code === null) return 'hangs';
  if (run.code === 0) return 'exits 0';
  const lines = run.stderr.split('\n').filter((line) => line !== '').length;
  // Not the count: a stack trace's length changes with the interpreter's version.
  return lines === 1 ? 'pass' : lines === 0 ? 'no message' : 'many lines on stderr';
}

const echoAsItReads = (socket: net.Socket): void => void socket.pipe(socket);

const ALL_BYTES = Buffer.from(Array.from({ length: 1024 }, (_, i) => i % 256));
const FULL_DUPLEX = Buffer.alloc(24 * 1024 * 1024, ALL_BYTES);
const LINE = Buffer.from('hello, echo server\n');

const RUN_PROBE: Record<Probe, (command: string) => Promise<string>> = {
  'all-bytes': (command) => withServer(echoAsItReads, async (port) => successVerdict(await runClient(command, port, ALL_BYTES, 5_000), ALL_BYTES)),

  'slow-reply': (command) =>
    withServer(
      async (socket) => {
        const received = await untilHalfClose(socket);
        await sleep(2_000);
        const third = Math.ceil(received.length / 3);
        for (let at = 0; at < received.length; at += third) {
          socket.write(received.subarray(at, at + third));
          await sleep(300);
        }
        socket.end();
      },
      async (port) => successVerdict(await runClient(command, port, LINE, 8_000), LINE),
    ),

  'full-duplex': (command) => withServer(echoAsItReads, async (port) => successVerdict(await runClient(command, port, FULL_DUPLEX, 15_000), FULL_DUPLEX)),

  'early-fin': (command) =>
    withServer(
      (socket) => {
        socket.resume();
        socket.end(LINE);
      },
      async (port) => successVerdict(await runClient(command, port, 'open', 3_000), LINE),
    ),

  'reset-after-data': (command) =>
    withServer(
      async (socket) => {
        const received = await untilHalfClose(socket);
        await new Promise((resolve) => socket.write(received, resolve));
        // Let the echo reach the client before the reset, which would discard it if still queued.
        await sleep(200);
        socket.resetAndDestroy();
      },
      async (port) => errorVerdict(await runClient(command, port, LINE, 5_000)),
    ),

  refused: async (command) => {
    const port = await withServer(() => undefined, async (free) => free);
    return errorVerdict(await runClient(command, port, LINE, 5_000));
  },
};

const probes = Object.keys(PROBES) as Probe[];

function probeClient(name: string, client: RealClient): void {
  test(`${name}: ${probes.map((probe) => `${probe} ${client.verdicts[probe]}`).join(', ')}`, async () => {
    // At once: a client that hangs in every probe then takes the longest limit (15 s), not their sum.
    const verdicts = await Promise.all(probes.map((probe) => RUN_PROBE[probe](client.command)));
    expect(Object.fromEntries(probes.map((probe, i) => [probe, verdicts[i]]))).toEqual(client.verdicts);
  }, 60_000);
}

for (const [name, client] of Object.entries(REAL_CLIENTS)) {
  if (client.optional && !client.programs.every(hasProgram)) {
    test.skip(`${name} [skipped: ${client.programs.join(', ')} not installed; optional]`, () => undefined);
  } else {
    describeWithPrograms(client.programs, name, () => probeClient(name, client));
  }
}

/** docs/client-contract.md §3.9: what each probe does, then the verdicts, as the tables above make them. */
function verdictSection(): string {
  const legend = probes.map((probe) => `- \`${probe}\`: ${PROBES[probe]}.`);
  return [...legend, '', verdictTable(probes, REAL_CLIENTS)].join('\n');
}

test('docs/client-contract.md shows the probes and the verdicts they assert', () => {
  expect(clientContract()).toContain(verdictSection());
});

import net from 'node:net';
import { TcpConnection } from '../harness/net/tcp-connection';
import { Transcript } from '../harness/net/transcript';
import { fixed } from '../harness/net/payload';
import { listenTcp } from '../harness/servers/listen';
import type { RunningServer } from '../harness/servers/running-server';

/**
 * wait-for-sends (TcpConnection.sendsSettled): it returns once the sends are written, or once the
 * peer has taken nothing for the quiet time, and not while the peer still takes bytes, however
 * slowly; a pause that must hold a server back starts from there (echo-tcp's reader-pauses).
 */
const MiB = 1024 * 1024;
const QUIET_MS = 300;

let server: RunningServer | undefined;
let conn: TcpConnection | undefined;
afterEach(async () => {
  conn?.closeNow();
  await server?.close();
  conn = undefined;
  server = undefined;
});

/** A server whose connections `serve` handles, and a client connected to it. */
async function connectTo(serve: (socket: net.Socket) => void): Promise<{ client: TcpConnection; transcript: Transcript }> {
  server = await listenTcp(
    net.createServer((socket) => {
      socket.on('error', () => socket.destroy());
      serve(socket);
    }),
  );
  const transcript = new Transcript();
  conn = await TcpConnection.connect('a', { host: '127.0.0.1', port: server.port, transport: 'tcp' }, transcript, Date.now() + 5000);
  return { client: conn, transcript };
}

function sendMiB(client: TcpConnection, mib: number): void {
  client.send(fixed(Buffer.alloc(mib * MiB, 'x'), `${mib} MiB`), { chunk: 0, delay: 0, window: 0 });
}

test('a peer that never reads: held back, once it has taken nothing for the quiet time', async () => {
  const { client, transcript } = await connectTo((socket) => socket.pause());
  sendMiB(client, 64);
  const started = performance.now();
  await expect(client.sendsSettled(QUIET_MS, Date.now() + 20_000)).resolves.toBe('held back');
  expect(performance.now() - started).toBeGreaterThanOrEqual(QUIET_MS);
  expect(client.bytesWritten).toBeLessThan(64 * MiB);
  expect(JSON.stringify(transcript)).toMatch(/sends held back: the peer took none for \d+ ms/);
});

test('a peer that reads all: written, without waiting for the quiet time', async () => {
  const { client } = await connectTo((socket) => socket.resume());
  sendMiB(client, 8);
  await expect(client.sendsSettled(10_000, Date.now() + 20_000)).resolves.toBe('written');
  expect(client.bytesWritten).toBe(8 * MiB);
});

test('a peer that reads 1 MiB every 50 ms is not held back: the wait ends at its deadline', async () => {
  const { client } = await connectTo((socket) => {
    // 1 MiB a tick: reading stops once a tick's share has come, and the next tick resumes it.
    let taken = 0;
    socket.on('data', (bytes: Buffer) => {
      taken += bytes.length;
      if (taken >= MiB) socket.pause();
    });
    const trickle = setInterval(() => {
      taken = 0;
      socket.resume();
    }, 50);
    socket.on('close', () => clearInterval(trickle));
  });
  sendMiB(client, 128);
  const written = client.bytesWritten;
  await expect(client.sendsSettled(QUIET_MS, Date.now() + 1000)).resolves.toBe('deadline');
  expect(client.bytesWritten).toBeGreaterThan(written);
});

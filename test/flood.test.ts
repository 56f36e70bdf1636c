import dgram from 'node:dgram';
import net from 'node:net';
import path from 'node:path';
import { RECEIVE_WINDOW, TcpConnection } from '../harness/net/tcp-connection';
import { Transcript } from '../harness/net/transcript';
import { DATAGRAM_WINDOW, UdpConnection } from '../harness/net/udp-connection';
import { sleep } from '../harness/net/waiter';
import { listenTcp } from '../harness/servers/listen';
import type { RunningServer } from '../harness/servers/running-server';
import { expectDatagrams } from '../harness/steps/support/expect-datagrams';
import { fixed } from '../harness/net/payload';
import { Patience } from '../harness/net/waiter';
import { ROOT, failedCases, tempDir } from './support/cli';
import { runMeasuringPeakRss } from '../bench/peak-rss';
import { runCase, type CaseOutcome } from '../harness/run/run-case';
import type { Step } from '../harness/steps/registry';

/**
 * Servers that flood: every reader holds a bounded amount per connection and fails with a clear
 * reason beyond it, and a whole run against a flooding server stays within the harness's
 * documented memory (docs/limits.md).
 */
const FLOOD_SERVER = path.join(ROOT, 'fixtures', 'hostile', 'flood-server.js');
const MiB = 1024 * 1024;
/** One read's worth past the window: the socket is paused after the read that fills it. */
const READ_SLACK = 256 * 1024;

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** One case of `steps` against 127.0.0.1:`port`, with a step deadline no loaded machine reaches. */
function runSteps(service: 'chat' | 'echo-tcp', port: number, steps: unknown[]): Promise<CaseOutcome> {
  const suite = { file: '<test>', suite: 'steps', title: 't', service, cases: [] };
  const c = { id: 'c', title: 't', requirement: 'r', ref: 'test', steps: steps as Step[] };
  return runCase(suite, c, { [service]: { host: '127.0.0.1', port, transport: 'tcp' } }, { stepTimeout: 30_000 });
}

/** The flood of flood-server.js, in-process: endless bytes, no line end, nothing read. */
async function floodTcp(): Promise<number> {
  const piece = Buffer.alloc(64 * 1024, 'x');
  server = await listenTcp(
    net.createServer((socket) => {
      socket.on('error', () => socket.destroy());
      const pour = () => {
        while (!socket.destroyed && socket.write(piece));
      };
      socket.on('drain', pour);
      pour();
    }),
  );
  return server.port;
}

describe('TCP: a connection holds at most RECEIVE_WINDOW unread', () => {
  test('a connection no step reads stops reading at the window, and stays there', async () => {
    const port = await floodTcp();
    const conn = await TcpConnection.connect('a', { host: '127.0.0.1', port, transport: 'tcp' }, new Transcript(), Date.now() + 5000);
    try {
      await conn.waiter.until(() => conn.full, Date.now() + 20_000);
      expect(conn.full).toBe(true);
      // The flood goes on; the connection must not read on.
      await sleep(300);
      expect(conn.bytesReceived).toBeLessThanOrEqual(RECEIVE_WINDOW + READ_SLACK);
      expect(conn.available).toBe(conn.bytesReceived);
    } finally {
      conn.closeNow();
    }
  });

  test('reading lines: fails with how much came without a line end, and the bound', async () => {
    const port = await floodTcp();
    const outcome = await runSteps('chat', port, [{ connect: { conn: 'a' } }, { 'expect-lines': { conn: 'a', lines: ['HELLO']} }]);
    expect(outcome.verdict).toBe('fail');
    expect(outcome.failure?.message).toMatch(/the server sent \d+ B without a line end; a line is at most 1 MiB \(what sockspec holds unread per connection\)/);
  });

  test('one expected line, and a regex: the same bound, the same kind of reason', async () => {
    const port = await floodTcp();
    const line = await runSteps('echo-tcp', port, [{ connect: { conn: 'a' } }, { expect: { conn: 'a', line: 'hello'} }]);
    expect(line.failure?.message).toMatch(/expected the line "hello"; the server sent \d+ B without a line end; a line is at most 1 MiB/);
    const regex = await runSteps('echo-tcp', port, [{ connect: { conn: 'a' } }, { expect: { conn: 'a', regex: 'y+'} }]);
    expect(regex.failure?.message).toMatch(/the server sent \d+ B without a match; the text a match may span is at most 1 MiB/);
  }, 60_000);

  test('silence cannot be heard through a full window: expect-silence fails, it does not pass', async () => {
    const port = await floodTcp();
    const outcome = await runSteps('echo-tcp', port, [
      { connect: { conn: 'a' } },
      { sleep: '1s' },
      { 'expect-silence': { conn: 'a', for: '200ms' } },
    ]);
    expect(outcome.verdict).toBe('fail');
    expect(outcome.failure?.message).toMatch(/cannot tell whether the connection is silent|expected no data/);
  });

  test('expect-close with ignoreData reads past the window and throws the bytes away, so a close behind 8 MiB is seen', async () => {
    server = await listenTcp(net.createServer((socket) => socket.end(Buffer.alloc(8 * MiB, 'x'))), { host: '127.0.0.1', port: 0 });
    const steps = (ignoreData: boolean) => [{ connect: { conn: 'a' } }, { sleep: '200ms' }, { 'expect-close': { conn: 'a', accept: ['fin'], ignoreData } }];
    const ignoring = await runSteps('echo-tcp', server.port, steps(true));
    expect(ignoring.failure?.message).toBeUndefined();
    const strict = await runSteps('echo-tcp', server.port, steps(false));
    expect(strict.failure?.summary).toMatch(/^expected the peer to close the connection; \d+ unexpected bytes arrived first/);
  });
});

describe('UDP: a socket holds at most DATAGRAM_WINDOW unread', () => {
  test('datagrams past the window are dropped and counted; a step missing one says it was sockspec, not the server', async () => {
    const flood = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => flood.bind(0, '127.0.0.1', () => resolve()));
    const conn = await UdpConnection.open('a', { host: '127.0.0.1', port: flood.address().port, transport: 'udp' }, new Transcript());
    const piece = Buffer.alloc(60_000, 'z');
    // Whoever sends the flood server a datagram gets 300 of 60,000 B back (17 MiB), in bursts that
    // leave the receiver's event loop its turn.
    const pouring = new Promise<void>((resolve) =>
      flood.once('message', async (_data, from) => {
        for (let sent = 0; sent < 300; sent++) {
          await new Promise<void>((done) => flood.send(piece, from.port, from.address, () => done()));
          if (sent % 10 === 9) await new Promise((done) => setImmediate(done));
        }
        resolve();
      }),
    );
    conn.send(fixed(Buffer.from('hi'), 'hi'), 0, 0);
    try {
      await pouring;
      await conn.waiter.until(() => conn.overflowed > 0, Date.now() + 20_000);
      expect(conn.overflowed).toBeGreaterThan(0);
      expect(conn.datagrams.reduce((sum, d) => sum + d.data.length, 0)).toBeLessThanOrEqual(DATAGRAM_WINDOW.bytes);
      // Owed more replies than were kept: the missing ones are the ones sockspec dropped.
      const owed = Array.from({ length: conn.datagrams.length + 1 }, () => fixed(piece, 'a piece'));
      const patience = new Patience(200, Date.now() + 5000, new AbortController().signal);
      await expect(expectDatagrams(conn, owed, patience, true, () => {})).rejects.toThrow(/sockspec dropped \d+ datagram\(s\)/);
    } finally {
      conn.close();
      flood.close();
    }
  });
});

describe('a whole run against a flooding chat server', () => {
  const reports = tempDir();
  afterAll(() => reports.remove());

  test('200 flooded connections: every case fails with the reason, and the harness stays under 512 MiB', async () => {
    const result = await runMeasuringPeakRss(path.join(ROOT, 'bin', 'sockspec.js'), ['run', '--suite', 'chat', '--filter', 'fan-out-200|concurrent-joins', '--cmd', `node ${FLOOD_SERVER} {port}`, '--reports', reports.path]);
    expect(result.peakRss).toBeGreaterThan(0);
    expect(Math.round(result.peakRss / MiB)).toBeLessThan(512);
    expect(result.code).toBe(1);
    expect(failedCases(result.stdout, 'chat')).toEqual(['concurrent-joins', 'fan-out-200']);
    expect(result.stdout).toMatch(/without a line end; a line is at most 1 MiB/);
  }, 180_000);
});

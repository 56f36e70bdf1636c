import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readSegments, type Segment } from '../harness/capture/segments';
import { acknowledged, closes, connectionFrom, echoOffset, remarkable } from '../harness/capture/wire-facts';
import { describeWithPrograms } from './support/tools';

const CLIENT = 40000;
const SERVER = 7;

/** A segment of connection 0 between CLIENT and SERVER; times in ms since the epoch 0. */
function segment(from: 'client' | 'server', at: number, fields: Partial<Segment>): Segment {
  const [srcPort, dstPort] = from === 'client' ? [CLIENT, SERVER] : [SERVER, CLIENT];
  return { stream: 0, at, srcPort, dstPort, syn: false, ack: true, fin: false, rst: false, seq: 1, ackNumber: 1, len: 0, window: 64, head: Buffer.alloc(0), retransmission: false, zeroWindow: false, afterMissed: false, ...fields };
}

const HANDSHAKE = [segment('client', 0, { syn: true, ack: false, seq: 0, ackNumber: 0 }), segment('server', 0.1, { syn: true, seq: 0 }), segment('client', 0.2, {})];

describe('what the wire says of a connection', () => {
  test('an echo missing our first byte: acknowledged, and the echo starts at byte 1', () => {
    const conn = connectionFrom(
      [
        ...HANDSHAKE,
        segment('client', 1, { len: 6, head: Buffer.from('hello\n') }),
        segment('server', 1.1, { ackNumber: 7 }),
        segment('server', 2, { len: 5, head: Buffer.from('ello\n'), ackNumber: 7 }),
      ],
      CLIENT,
    );
    if (!conn) throw new Error('no connection');
    expect(echoOffset(conn)).toBe(1);
    expect(acknowledged(conn, 'client')).toBe(6);
    expect(remarkable(conn, 'main', 0)).toEqual([
      "on main, the server's kernel acknowledged byte 0 and its first data segment started at byte 1: byte 0 reached the server and never came back",
    ]);
  });

  test('a whole echo says nothing', () => {
    const conn = connectionFrom(
      [...HANDSHAKE, segment('client', 1, { len: 3, head: Buffer.from('abc') }), segment('server', 2, { len: 3, head: Buffer.from('abc'), ackNumber: 4 })],
      CLIENT,
    );
    expect(conn && echoOffset(conn)).toBe(0);
    expect(conn && remarkable(conn, 'main', 0)).toEqual([]);
  });

  test("the server's reset after our FIN, with what its kernel had taken and sent", () => {
    const conn = connectionFrom(
      [
        ...HANDSHAKE,
        segment('client', 1, { len: 10, head: Buffer.from('0123456789') }),
        segment('server', 2, { len: 4, head: Buffer.from('0123'), ackNumber: 11 }),
        segment('client', 3, { fin: true, seq: 11, ackNumber: 5 }),
        segment('server', 12.3, { rst: true, seq: 5, ackNumber: 12 }),
      ],
      CLIENT,
    );
    if (!conn) throw new Error('no connection');
    expect(closes(conn)).toEqual({ first: { side: 'client', how: 'fin', at: 3 }, client: { side: 'client', how: 'fin', at: 3 }, server: { side: 'server', how: 'rst', at: 12.3 } });
    expect(remarkable(conn, 'main', 0)).toEqual([
      "on main, the server sent RST after our FIN at 12.3 ms, not FIN: its kernel had acknowledged 10 byte(s) of ours and the server had sent 4; a kernel resets a connection closed with input unread (or closed with SO_LINGER 0)",
    ]);
  });

  test('the last connection from a reused port is the one meant', () => {
    const later = HANDSHAKE.map((s) => ({ ...s, stream: 1, at: s.at + 100 }));
    expect(connectionFrom([...HANDSHAKE, ...later], CLIENT)?.segments[0].stream).toBe(1);
    expect(connectionFrom(HANDSHAKE, 1234)).toBeUndefined();
  });

  test("with the server's port given, a later connection of the same port to another server is not the one meant", () => {
    const elsewhere = HANDSHAKE.map((s) => ({ ...s, stream: 1, at: s.at + 100, ...(s.srcPort === SERVER ? { srcPort: 9000 } : { dstPort: 9000 }) }));
    expect(connectionFrom([...HANDSHAKE, ...elsewhere], CLIENT, SERVER)?.segments.map((s) => s.stream)).toEqual([0, 0, 0]);
    expect(connectionFrom([...HANDSHAKE, ...elsewhere], CLIENT)?.serverPort).toBe(9000);
  });
});

describeWithPrograms(['editcap', 'tshark'], 'a decode of the capture', () => {
  test('ends, its programs with it, when its signal aborts (the case deadline)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sockspec-decode-'));
    // A capture that never ends: editcap waits on the FIFO as on a file still being written.
    const fifo = path.join(dir, 'never-ending.pcap');
    execFileSync('mkfifo', [fifo]);
    try {
      const started = Date.now();
      const decode = readSegments(fifo, [CLIENT], AbortSignal.timeout(300));
      await expect(decode).rejects.toThrow(/^the decode of .* was stopped/);
      expect(Date.now() - started).toBeLessThan(5000);
      const left = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).split('\n').filter((line) => line.includes(fifo));
      expect(left).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import type { Segment } from '../harness/capture/segments';
import { connectionFrom, receiveWindow, synOptions, type WireConnection } from '../harness/capture/wire-facts';
import { described } from '../harness/steps/expect-wire-syn';

const CLIENT = 40000;
const SERVER = 7;

/** A segment of connection 0 between CLIENT and SERVER; times in ms since the epoch 0. */
function segment(from: 'client' | 'server', at: number, fields: Partial<Segment>): Segment {
  const [srcPort, dstPort] = from === 'client' ? [CLIENT, SERVER] : [SERVER, CLIENT];
  return { stream: 0, at, srcPort, dstPort, syn: false, ack: true, fin: false, rst: false, seq: 1, ackNumber: 1, len: 0, window: 65536, head: Buffer.alloc(0), retransmission: false, zeroWindow: false, afterMissed: false, ...fields };
}

const SYN = segment('client', 0, { syn: true, ack: false, seq: 0, ackNumber: 0, synOptions: { mss: 65495, windowScale: 10, sackPermitted: true } });
const SYN_ACK = segment('server', 0.1, { syn: true, seq: 0, window: 65483, synOptions: { mss: 536, windowScale: 0, sackPermitted: false } });

function conn(...rest: Segment[]): WireConnection {
  const found = connectionFrom([SYN, SYN_ACK, segment('client', 0.2, {}), ...rest], CLIENT);
  if (!found) throw new Error('no connection');
  return found;
}

describe("the server's receive window on the wire", () => {
  test('closed and still closed: since its first zero window of the closed run, the SYN-ACK and our zero windows left out', () => {
    const facts = receiveWindow(
      conn(
        segment('server', 1, { window: 0, zeroWindow: true, ackNumber: 100 }),
        segment('server', 2, { window: 4096, ackNumber: 200 }),
        segment('client', 3, { window: 0, zeroWindow: true }),
        segment('server', 4, { window: 0, zeroWindow: true, ackNumber: 300 }),
        segment('server', 5, { window: 0, zeroWindow: true, ackNumber: 300 }),
      ),
      'server',
    );
    expect(facts).toEqual({ last: 0, closedSince: 4, zeroWindows: 3 });
  });

  test('a window opened again after a busy moment is open', () => {
    const facts = receiveWindow(conn(segment('server', 1, { window: 0, zeroWindow: true }), segment('server', 2, { window: 8192 })), 'server');
    expect(facts).toEqual({ last: 8192, closedSince: undefined, zeroWindows: 1 });
  });

  test('a reset carries no window', () => {
    expect(receiveWindow(conn(segment('server', 1, { window: 0, zeroWindow: true }), segment('server', 2, { rst: true, window: 0 })), 'server')).toEqual({ last: 0, closedSince: 1, zeroWindows: 1 });
  });

  test('no segment after the SYN-ACK: no window known', () => {
    expect(receiveWindow(conn(), 'server')).toEqual({ last: undefined, closedSince: undefined, zeroWindows: 0 });
  });
});

describe('SYN options on the wire', () => {
  test("each side's own SYN", () => {
    expect(synOptions(conn(), 'server')).toEqual({ mss: 536, windowScale: 0, sackPermitted: false });
    expect(synOptions(conn(), 'client')).toEqual({ mss: 65495, windowScale: 10, sackPermitted: true });
  });

  test('said in words, missing options too', () => {
    expect(described({ mss: 65495, windowScale: 10, sackPermitted: true })).toBe('MSS 65495, window scale 10, SACK permitted');
    expect(described({ sackPermitted: false })).toBe('no MSS option, no window scaling, no SACK');
  });
});

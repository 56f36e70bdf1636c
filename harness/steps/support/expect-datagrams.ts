import type { UdpConnection, Datagram } from '../../net/udp-connection';
import type { Payload } from '../../net/payload';
import type { Patience } from '../../net/waiter';
import { readExactly } from './expect-bytes';
import { dump, firstDifference } from '../../verdict/bytes';
import { StepFailure } from '../../verdict/failure';

/**
 * Expects one reply datagram per payload, in order, each byte-identical and sent from the service's
 * address. With `allowLoss`, missing replies are counted (and noted) instead of failing, but every
 * reply that does arrive must still be one of the owed datagrams, in order.
 */
export async function expectDatagrams(
  conn: UdpConnection,
  payloads: readonly Payload[],
  patience: Patience,
  allowLoss: boolean,
  note: (text: string) => void,
): Promise<void> {
  const wanted = payloads.map((p) => ({ label: p.label, bytes: readExactly(p.open(), p.length) }));
  if (allowLoss) {
    // Renewed while replies keep coming: the burst ends when the replies stop.
    let seen = -1;
    while (seen < conn.datagrams.length && conn.datagrams.length < wanted.length && !conn.error) {
      seen = conn.datagrams.length;
      await conn.waiter.until(() => conn.datagrams.length > seen || conn.error !== undefined, patience.deadline, patience.signal);
      patience.progress();
    }
    const received = conn.take(wanted.length);
    const dropped = received.length < wanted.length && conn.overflowDescription();
    if (dropped) throw new StepFailure(`${received.length} of ${wanted.length} datagrams echoed, but not all the rest were lost by the server: ${dropped}`);
    let next = 0;
    for (const [i, datagram] of received.entries()) {
      checkSource(conn, datagram, i);
      const match = wanted.findIndex((w, j) => j >= next && w.bytes.equals(datagram.data));
      if (match < 0) throw new StepFailure(`reply ${i + 1} (${datagram.data.length} B) matches no datagram that was sent, in order`, dump('received', 0, datagram.data, 2));
      next = match + 1;
    }
    const lost = wanted.length - received.length;
    note(`${received.length} of ${wanted.length} datagrams echoed (${((100 * lost) / wanted.length).toFixed(1)}% lost)`);
    return;
  }
  for (const [i, want] of wanted.entries()) {
    const waited = await conn.waiter.until(() => conn.datagrams.length > 0 || conn.error !== undefined, patience.deadline, patience.signal);
    const [datagram] = conn.take(1);
    if (!datagram) {
      const why = conn.error ? `the socket failed (${conn.error.message})` : (conn.overflowDescription() ?? patience.why(waited));
      throw new StepFailure(`expected reply ${i + 1} of ${wanted.length} (${want.bytes.length} B, ${want.label}); ${why} first`);
    }
    checkSource(conn, datagram, i);
    if (!want.bytes.equals(datagram.data)) throw differs(i, want.bytes, datagram.data, want.label);
    patience.progress();
  }
}

function checkSource(conn: UdpConnection, datagram: Datagram, i: number): void {
  if (datagram.from !== conn.serviceAddress) {
    throw new StepFailure(`reply ${i + 1} came from ${datagram.from}, not from the service at ${conn.serviceAddress}`);
  }
}

function differs(i: number, want: Buffer, got: Buffer, label: string): StepFailure {
  if (want.length !== got.length) {
    return new StepFailure(`reply ${i + 1}: expected a ${want.length} B datagram (${label}), received ${got.length} B`, [
      ...dump('expected', 0, want, 2),
      ...dump('received', 0, got, 2),
    ]);
  }
  const at = firstDifference(want, got);
  const from = at - (at % 16);
  return new StepFailure(`reply ${i + 1} (${label}): byte ${at} differs`, [
    ...dump('expected', from, want.subarray(from, from + 32), 2),
    ...dump('received', from, got.subarray(from, from + 32), 2),
  ]);
}

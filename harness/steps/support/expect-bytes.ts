import type { TcpConnection } from '../../net/tcp-connection';
import type { Patience } from '../../net/waiter';
import { fixed, type Payload, type PayloadStream } from '../../net/payload';
import { dump, firstDifference, windowStart } from '../../verdict/bytes';
import { StepFailure } from '../../verdict/failure';
import { formatBytes } from '../../vocabulary/units';

const CONTEXT = 32;

/** What is done with each piece once it matched, before more is read: e.g. echo it back (echoingBack). */
export type MatchedPiece = (piece: Buffer, matchedSoFar: number) => Promise<void>;

/**
 * Consumes exactly the payload's bytes from a TCP connection, comparing as they arrive, so memory
 * stays flat for any size and a failure names the first differing offset.
 */
export async function expectTcpBytes(conn: TcpConnection, payload: Payload, patience: Patience, onMatched?: MatchedPiece): Promise<void> {
  const stream = payload.open();
  let matched = 0;
  let recent = Buffer.alloc(0);
  while (matched < payload.length) {
    const waited = await conn.waiter.until(() => conn.available > 0 || conn.ended, patience.deadline, patience.signal);
    if (conn.available === 0) throw shortfall(conn, payload, matched, recent, stream, patience.why(waited));
    const got = conn.consume(Math.min(conn.available, payload.length - matched));
    const want = readExactly(stream, got.length);
    if (!want.equals(got)) throw mismatch(payload, matched, recent, want, got);
    matched += got.length;
    recent = Buffer.concat([recent, got.subarray(-CONTEXT)]).subarray(-CONTEXT);
    patience.progress();
    await onMatched?.(got, matched);
  }
}

/**
 * Sends each matched piece back and reads no further until it is written, as an echo server does:
 * a peer that stops reading while it sends stops the echo, and then its own sending, which is the
 * deadlock a client that sends everything before it reads meets (docs/client-contract.md §3.5).
 */
export function echoingBack(conn: TcpConnection, payload: Payload, patience: Patience): MatchedPiece {
  return async (piece, matchedSoFar) => {
    conn.send(fixed(piece, `the echo of bytes ${matchedSoFar - piece.length}-${matchedSoFar - 1}`), { chunk: 0, delay: 0, window: 0 });
    // Written, or never to be (the connection is gone, which the next check reports); the peer's
    // half-close is no reason to stop: it still reads.
    let written = false;
    void conn.flushed().then(() => {
      written = true;
      conn.waiter.notify();
    });
    await conn.waiter.until(() => written, patience.deadline, patience.signal);
    if (written) return patience.progress();
    throw new StepFailure(`expected ${payload.label}, echoing it as it arrived: the echo could not be written for ${patience.idleMs} ms (the peer is not reading it), so the server side stopped reading`, [
      `${formatBytes(matchedSoFar)} of ${formatBytes(payload.length)} received and matched; the peer stopped reading the echo while it still had ${formatBytes(payload.length - matchedSoFar)} to send`,
      ...(conn.endDescription() ? [conn.endDescription() as string] : []),
    ]);
  };
}

export function readExactly(stream: PayloadStream, n: number): Buffer {
  const parts: Buffer[] = [];
  let total = 0;
  while (total < n) {
    const chunk = stream.read(n - total);
    if (chunk.length === 0) break;
    parts.push(chunk);
    total += chunk.length;
  }
  return parts.length === 1 ? parts[0] : Buffer.concat(parts, total);
}

function mismatch(payload: Payload, matched: number, recent: Buffer, want: Buffer, got: Buffer): StepFailure {
  const at = firstDifference(want, got);
  const offset = matched + at;
  const base = matched - recent.length;
  const from = Math.max(base, windowStart(offset));
  const expectedWindow = Buffer.concat([recent, want]).subarray(from - base, from - base + 48);
  const receivedWindow = Buffer.concat([recent, got]).subarray(from - base, from - base + 48);
  return new StepFailure(
    `expected ${payload.label}: byte ${offset} differs (expected 0x${hexByte(want[at])}, received 0x${hexByte(got[at])})`,
    [
      `${formatBytes(offset)} matched before the first difference, of ${formatBytes(payload.length)} expected`,
      ...dump('expected', from, expectedWindow, 3),
      ...dump('received', from, receivedWindow, 3),
    ],
  );
}

function shortfall(conn: TcpConnection, payload: Payload, matched: number, recent: Buffer, stream: PayloadStream, timedOut: string): StepFailure {
  const why = `then ${conn.endDescription() ?? timedOut}`;
  return new StepFailure(`expected ${formatBytes(payload.length)} (${payload.label}), received ${formatBytes(matched)} ${why}`, [
    ...(matched > 0 ? dump('last received', matched - recent.length, recent, 2) : ['nothing was received']),
    ...dump('next expected', matched, readExactly(stream, 16), 1),
  ]);
}

function hexByte(b: number | undefined): string {
  return b === undefined ? '--' : b.toString(16).padStart(2, '0');
}

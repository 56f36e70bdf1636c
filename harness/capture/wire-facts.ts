import type { Segment, SynOptions } from './segments';

/*
 * What the wire says about one TCP connection, from its decoded segments: who closed first and
 * how, what each kernel acknowledged, where the server's data starts in ours. The wire checks
 * (steps/expect-wire-*.ts) and the "why" of a failure are written from these facts alone.
 */

export type Side = 'client' | 'server';

/** One TCP connection the case made, as the capture shows it; the client is the side that sent the SYN. */
export interface WireConnection {
  clientPort: number;
  serverPort: number;
  segments: Segment[];
}

/** A connection as a read of a capture still running shows it. */
export interface WireSnapshot extends WireConnection {
  /**
   * Every packet sent before this time (ms since the epoch) is in `segments`: nothing the wire did
   * after it is known. A window closed since T is known closed until then, not until the decode
   * ended, which on a busy machine is seconds later.
   */
  seenUntil: number;
}

/** A FIN or RST: who sent it, and when (ms since the epoch). */
export interface CloseEvent {
  side: Side;
  how: 'fin' | 'rst';
  at: number;
}

/**
 * The connection from local port `clientPort` (to `serverPort`, when known) in the segments: the
 * last one. A port is never used by two connections at once, but a connection of another process
 * can reuse it once the case's has ended, while the case still reads the capture: seen in a loaded
 * run, where a decode finished after the port had gone to a connection to another server. The
 * server's port tells them apart.
 */
export function connectionFrom(segments: readonly Segment[], clientPort: number, serverPort?: number): WireConnection | undefined {
  const between = (s: Segment) =>
    (s.srcPort === clientPort && (serverPort === undefined || s.dstPort === serverPort)) || (s.dstPort === clientPort && (serverPort === undefined || s.srcPort === serverPort));
  const mine = segments.filter(between);
  if (mine.length === 0) return undefined;
  const stream = mine[mine.length - 1].stream;
  const own = mine.filter((s) => s.stream === stream);
  const first = own[0];
  return { clientPort, serverPort: first.srcPort === clientPort ? first.dstPort : first.srcPort, segments: own };
}

/**
 * How many holes the capture has in the connection: segments tshark found after or acknowledging
 * bytes it never saw, and a missing SYN (the connection opened while the case was captured, so its
 * SYN was sent). A hole is the capture's (tcpdump fell behind), and hides what the peer sent there.
 */
export function captureHoles(conn: WireConnection): number {
  const holes = conn.segments.filter((s) => s.afterMissed).length;
  return holes + (conn.segments.some((s) => s.syn && !s.ack) ? 0 : 1);
}

export function sideOf(conn: WireConnection, segment: Segment): Side {
  return segment.srcPort === conn.clientPort ? 'client' : 'server';
}

/** Each side's first FIN or RST, and the first of all. */
export function closes(conn: WireConnection): { first?: CloseEvent; client?: CloseEvent; server?: CloseEvent } {
  const found: { first?: CloseEvent; client?: CloseEvent; server?: CloseEvent } = {};
  for (const s of conn.segments) {
    if (!s.fin && !s.rst) continue;
    const event: CloseEvent = { side: sideOf(conn, s), how: s.rst ? 'rst' : 'fin', at: s.at };
    found.first ??= event;
    found[event.side] ??= event;
  }
  return found;
}

/** Bytes of `side`'s data the other side's kernel had acknowledged by `until` (all the capture holds by default). */
export function acknowledged(conn: WireConnection, side: Side, until = Infinity): number {
  let ack = 1;
  for (const s of conn.segments) {
    if (s.at > until) break;
    if (sideOf(conn, s) !== side && s.ack) ack = Math.max(ack, s.ackNumber);
  }
  // The SYN takes sequence number 0 and a FIN one more: ack - 1 bytes, less the FIN once acknowledged.
  return Math.max(0, Math.min(ack - 1, dataSent(conn, side, until)));
}

/** Bytes of data `side` put on the wire by `until`. */
export function dataSent(conn: WireConnection, side: Side, until = Infinity): number {
  let end = 1;
  for (const s of conn.segments) {
    if (s.at > until) break;
    if (sideOf(conn, s) === side && s.len > 0) end = Math.max(end, s.seq + s.len);
  }
  return end - 1;
}

/** The first bytes of `side`'s stream (up to what the segments' heads hold), in sequence order. */
export function streamHead(conn: WireConnection, side: Side): Buffer {
  const head: number[] = [];
  for (const s of [...conn.segments].filter((x) => sideOf(conn, x) === side && x.len > 0).sort((a, b) => a.seq - b.seq)) {
    const offset = s.seq - 1;
    if (offset > head.length) break;
    for (let i = head.length - offset; i < s.head.length; i++) head.push(s.head[i]);
  }
  return Buffer.from(head);
}

/**
 * Where the server's data starts in the client's, for an echo: 0 when it starts with our first
 * byte, k when it starts with our byte k (the bytes before were acknowledged and never sent back),
 * undefined when it matches no offset the heads show (not an echo of ours).
 */
export function echoOffset(conn: WireConnection): number | undefined {
  const ours = streamHead(conn, 'client');
  const theirs = streamHead(conn, 'server');
  if (ours.length === 0 || theirs.length === 0) return undefined;
  for (let k = 0; k < ours.length; k++) {
    const n = Math.min(theirs.length, ours.length - k);
    if (n >= Math.min(4, theirs.length) && ours.subarray(k, k + n).equals(theirs.subarray(0, n))) return k;
  }
  return undefined;
}

export interface Counts {
  retransmissions: number;
  zeroWindows: number;
}

/** Retransmitted segments and zero-window advertisements, per side. */
export function counts(conn: WireConnection, side: Side): Counts {
  const own = conn.segments.filter((s) => sideOf(conn, s) === side);
  return { retransmissions: own.filter((s) => s.retransmission).length, zeroWindows: own.filter((s) => s.zeroWindow).length };
}

/** How `side`'s kernel used its receive window: what it advertised last, and whether it stayed closed. */
export interface WindowFacts {
  /** The window (bytes) `side` advertised in its last segment; undefined when it sent none after the SYN. */
  last?: number;
  /** When (ms since the epoch) `side` started advertising a zero window it has not opened since; undefined while open. */
  closedSince?: number;
  /** Zero-window advertisements in all: a busy receiver closes its window for a moment now and then. */
  zeroWindows: number;
}

/** `side`'s receive window over the connection (its SYN carries an unscaled window, and a RST none: both left out). */
export function receiveWindow(conn: WireConnection, side: Side): WindowFacts {
  const facts: WindowFacts = { zeroWindows: 0 };
  for (const s of conn.segments) {
    if (sideOf(conn, s) !== side || s.syn || s.rst) continue;
    facts.last = s.window;
    if (s.window > 0) facts.closedSince = undefined;
    else {
      facts.zeroWindows++;
      facts.closedSince ??= s.at;
    }
  }
  return facts;
}

/** The options of `side`'s SYN (the client's) or SYN-ACK (the server's); undefined when the capture holds none. */
export function synOptions(conn: WireConnection, side: Side): SynOptions | undefined {
  return conn.segments.find((s) => s.syn && sideOf(conn, s) === side)?.synOptions;
}

/** `12.3 ms` after `origin` (the case's start, ms since the epoch). */
export function msAfter(at: number, origin: number): string {
  return `${(at - origin).toFixed(1)} ms`;
}

/**
 * The facts of one connection worth saying when its case failed, each a sentence: a reset by the
 * server (with what its kernel had taken of ours), an echo that starts past our first byte, a
 * retransmission or a zero window. Nothing when the wire shows nothing remarkable.
 */
export function remarkable(conn: WireConnection, name: string, origin: number): string[] {
  const lines: string[] = [];
  const offset = echoOffset(conn);
  if (offset !== undefined && offset > 0) {
    const skipped = offset === 1 ? 'byte 0' : `bytes 0 to ${offset - 1}`;
    lines.push(`on ${name}, the server's kernel acknowledged ${skipped} and its first data segment started at byte ${offset}: ${skipped} reached the server and never came back`);
  }
  const { server, client } = closes(conn);
  if (server?.how === 'rst') {
    const taken = acknowledged(conn, 'client', server.at);
    const echoed = dataSent(conn, 'server', server.at);
    const after = client && client.at < server.at ? ` after our ${client.how.toUpperCase()}` : '';
    lines.push(
      `on ${name}, the server sent RST${after} at ${msAfter(server.at, origin)}, not FIN: its kernel had acknowledged ${taken} byte(s) of ours and the server had sent ${echoed}; ` +
        'a kernel resets a connection closed with input unread (or closed with SO_LINGER 0)',
    );
  }
  for (const side of ['client', 'server'] as const) {
    const { retransmissions, zeroWindows } = counts(conn, side);
    const who = side === 'client' ? 'we' : 'the server';
    if (retransmissions) lines.push(`on ${name}, ${who} retransmitted ${retransmissions} segment(s)`);
    if (zeroWindows) lines.push(`on ${name}, ${side === 'client' ? 'our' : "the server's"} kernel advertised a zero window ${zeroWindows} time(s)`);
  }
  return lines;
}

import type { Transcript } from '../net/transcript';
import { logKeysOf } from './key-log';
import type { PacketCapture, CaptureFiles } from './packet-capture';
import { readSegments } from './segments';
import { connectionFrom, remarkable, sideOf, type Side, type WireSnapshot } from './wire-facts';
import type { Segment } from './segments';

/** What the run keeps: the captures of failed cases (`--capture`), or of every case (`--capture all`). */
export const CAPTURE_MODES = ['failed', 'all'] as const;
export type CaptureMode = (typeof CAPTURE_MODES)[number];

/** The port a `connect` event names: "connect to 127.0.0.1:7000" (then, for UDP, "from local port N"). */
const CONNECT_TO = /:(\d+)(?:\s|$)/;
/** At most this many "why" sentences per failure: the first connections' facts, then a count. */
const WHY_LINES = 6;
/** At most this many packets in a failure's packet lane: the first ones, where a failure usually starts. */
const LANE_PACKETS = 300;

/** One packet of a failed case's packet lane (index.html), as results.json carries it. */
export interface LanePacket {
  /** ms since the case started. */
  at: number;
  conn: string;
  from: 'client' | 'server';
  /** S, SA, F, R, P... as tcpdump prints them (A for a bare ACK). */
  flags: string;
  seq: number;
  ack: number;
  len: number;
}

/** What the wire shows of a failed case: the "why" sentences and its first packets. */
export interface WireView {
  why: string[];
  packets: LanePacket[];
}

/**
 * One case's capture, seen through its transcript: the connections it names (`main`, `a#3`) are
 * found on the wire by their local ports, the ports the transcript shows are the ones kept, and
 * the TLS secrets of its connections go to its key log.
 */
export class CaseCapture {
  constructor(
    private readonly packets: PacketCapture,
    private readonly transcript: Transcript,
    /** When the case started (ms since the epoch): the wire's times are said from it. */
    readonly origin: number,
  ) {
    logKeysOf(transcript, packets);
  }

  /** Keep the packets of this port too (a server the case talks to). */
  watchPort(port: number | undefined): void {
    this.packets.watchPort(port);
  }

  /** The local port of the connection the transcript calls `name` (its latest, if the name was reused). */
  localPortOf(name: string): number | undefined {
    return this.localPorts().get(name)?.local;
  }

  /** The wire's view of connection `name`, from the packets captured so far; `signal` stops the decode. */
  async connection(name: string, signal?: AbortSignal): Promise<WireSnapshot | undefined> {
    const ports = this.localPorts().get(name);
    if (ports === undefined) return undefined;
    // Taken before tcpdump is synced: every packet sent before it is in what is decoded.
    const seenUntil = Date.now();
    const conn = connectionFrom(await readSegments(await this.packets.rawFile(), [ports.local], signal), ports.local, ports.remote);
    return conn && { ...conn, seenUntil };
  }

  /** The raw capture so far (every packet sent before the call) and the TLS key log lines of the case's connections: what tshark opens TLS records with. */
  async withKeys(): Promise<{ file: string; keyLines: readonly string[] }> {
    return { file: await this.packets.rawFile(), keyLines: this.packets.keyLog() };
  }

  /** What the wire shows of the case's connections that a failure's reader should know: sentences, and the packets. */
  async view(signal?: AbortSignal): Promise<WireView> {
    const ports = this.localPorts();
    if (ports.size === 0) return { why: [], packets: [] };
    const segments = await readSegments(await this.packets.rawFile(), [...new Set([...ports.values()].map((p) => p.local))], signal);
    const conns = [...ports].flatMap(([name, { local, remote }]) => {
      const conn = connectionFrom(segments, local, remote);
      return conn ? [{ name, conn }] : [];
    });
    const lines = conns.flatMap(({ name, conn }) => remarkable(conn, name, this.origin));
    const why = lines.length > WHY_LINES ? [...lines.slice(0, WHY_LINES), `and ${lines.length - WHY_LINES} more of the same kind`] : lines;
    const packets = conns
      .flatMap(({ name, conn }) => conn.segments.map((s) => lanePacket(s, name, sideOf(conn, s), this.origin)))
      .sort((a, b) => a.at - b.at)
      .slice(0, LANE_PACKETS);
    return { why, packets };
  }

  /** Ends the capture; with `keepAs`, keeps the case's packets (and key log) there (see PacketCapture.stop). */
  stop(keepAs?: string): Promise<CaptureFiles | undefined> {
    for (const port of this.transcriptPorts()) this.packets.watchPort(port);
    return this.packets.stop(keepAs);
  }

  /**
   * Each connection name's local port, from its `connected` event ("from local port N"; UDP's
   * `connect` says it too), and the port it connected to, from its `connect` event.
   */
  private localPorts(): Map<string, { local: number; remote?: number }> {
    const ports = new Map<string, { local: number; remote?: number }>();
    const remotes = new Map<string, number>();
    for (const e of this.transcript.events) {
      const remote = e.kind === 'connect' ? CONNECT_TO.exec(e.detail ?? '') : null;
      if (remote) remotes.set(e.conn, Number(remote[1]));
      const local = /from local port (\d+)/.exec(e.detail ?? '');
      if (local && (e.kind === 'connected' || e.kind === 'connect')) ports.set(e.conn, { local: Number(local[1]), remote: remotes.get(e.conn) });
    }
    return ports;
  }

  /**
   * Every port the transcript names: each connection's local port and the address it connected
   * to, the port a client suite's server side listens on and the ports it accepted from.
   */
  private transcriptPorts(): number[] {
    const ports = [...this.localPorts().values()].map((p) => p.local);
    for (const e of this.transcript.events) {
      const detail = e.detail ?? '';
      const named = [
        e.kind === 'connect' ? CONNECT_TO.exec(detail) : null,
        e.kind === 'connected' ? /from \S*:(\d+)/.exec(detail) : null,
        e.kind === 'note' ? /\blisten(?:ing|s) on \S*:(\d+)/.exec(detail) : null,
      ];
      for (const match of named) if (match) ports.push(Number(match[1]));
    }
    return ports;
  }
}

function lanePacket(s: Segment, conn: string, from: Side, origin: number): LanePacket {
  const flags = [s.syn && 'S', s.fin && 'F', s.rst && 'R', s.len > 0 && 'P', s.ack && !s.syn && !s.fin && !s.rst && s.len === 0 && 'A', s.syn && s.ack && 'A'].filter(Boolean).join('');
  return { at: Math.round((s.at - origin) * 10) / 10, conn, from, flags, seq: s.seq, ack: s.ackNumber, len: s.len };
}

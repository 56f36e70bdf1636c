import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { holdUntilExit } from '../targets/exit-cleanup';
import { tcpdumpListening } from './tcpdump-ready';
import { PcapRecords } from './pcap-records';

/** How long a sync may wait for its marker to come through tcpdump. */
export const SYNC_MS = 5000;
/** How often a marker not seen yet is sent again. */
const RESEND_MS = 250;
/** Where the sync markers go: the discard port, which nothing answers on loopback but an ICMP error. */
const MARKER_PORT = 9;
/**
 * How long tcpdump runs on once no case captures: long enough to carry it from one case to the
 * next, short enough that a process done with captures (a jest worker between suite files, a
 * project's own tests) stops paying for every loopback packet.
 */
const IDLE_MS = 2000;
/** tcpdump's kernel buffer (-B, in KiB): see start(). */
const KERNEL_BUFFER_KIB = 256 * 1024;
/** Records at least this long are not markers: a marker is a small datagram. */
const MARKER_RECORD = 200;

/**
 * Takes the packets of a time window: whole records (header and data) as tcpdump wrote them, one
 * or more at a time, in pieces that follow each other (a record may span two reads of the pipe).
 * The pieces are views of what was read, shared by every sink: a sink that keeps them must not
 * change them.
 */
export interface PacketSink {
  record(pieces: readonly Buffer[]): void;
}

/**
 * One tcpdump per device for the whole process, writing pcap to a pipe: a case does not pay for
 * tcpdump's start (100 to 300 ms on a loaded machine), only the first one does. PcapRecords cuts
 * the stream into records (the pcap framing, not the packets: tshark decodes those) and each record
 * goes to the sinks open at the time, the cases running. `sync` sends a marker datagram and waits until
 * it comes through: every packet sent before it has then reached the sinks.
 */
export class PacketStream {
  private static readonly streams = new Map<string, Promise<PacketStream>>();
  /** The pcap file header tcpdump started with: each sink's file starts with it. */
  header: Buffer = Buffer.alloc(0);
  private readonly records = new PcapRecords(
    MARKER_RECORD,
    (record) => this.seeMarker(record),
    () => this.markers.size > 0,
  );
  private readonly sinks = new Set<PacketSink>();
  private readonly markers = new Map<string, () => void>();
  private ended?: string;
  private headerSeen: () => void = () => undefined;
  private readonly headerRead = new Promise<void>((resolve) => (this.headerSeen = resolve));

  private idle: NodeJS.Timeout | undefined;
  /** Set once the stream stopped for want of cases: the next case starts another. */
  private retired = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly device: string,
  ) {
    (child.stdout as Readable).on('data', (chunk: Buffer) => this.take(chunk));
  }

  /** The process's stream of `device`, started (and awaited ready) the first time it is asked for. */
  static of(device: string): Promise<PacketStream> {
    let stream = PacketStream.streams.get(device);
    if (!stream) {
      stream = PacketStream.start(device);
      PacketStream.streams.set(device, stream);
      // A start that failed is tried again by the next case, which then says why too.
      stream.catch(() => PacketStream.streams.delete(device));
    }
    return stream;
  }

  private static async start(device: string): Promise<PacketStream> {
    // --immediate-mode and -U hand each packet on as it comes, not a ring buffer block later; -s 0 keeps whole packets (TLS decryption needs them).
    // setpriv makes the kernel kill tcpdump when this process dies, however it dies (a SIGKILL
    // runs no exit hook); tcpdump keeps root (-Z root), as changing user would clear that.
    // -B: the kernel's buffer for packets tcpdump has not read yet. With its default (2 MiB) a
    // whole builtin run on a loaded 2-core machine lost 147,285 of 235,190 loopback packets; with
    // 128 MiB 40 of 135,858, with 256 MiB none. Allocated once per tcpdump, one per jest worker.
    const tcpdump = ['tcpdump', '-Z', 'root', '-i', device, '-n', '--immediate-mode', '-U', '-s', '0', '-B', String(KERNEL_BUFFER_KIB), '-w', '-', 'tcp or udp'];
    const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', ...tcpdump], { stdio: ['ignore', 'pipe', 'pipe'] });
    const stream = new PacketStream(child, device);
    const release = holdUntilExit({ stop: async () => stream.kill(), removeNow: () => stream.kill() });
    child.once('exit', () => {
      stream.ended = 'tcpdump ended';
      release();
      if (!stream.retired) PacketStream.streams.delete(device);
      for (const resolve of stream.markers.values()) resolve();
    });
    // Idle between cases, it must not keep the process alive: the exit hook ends it.
    child.unref();
    (child.stdout as Readable & { unref?: () => void }).unref?.();
    (child.stderr as Readable & { unref?: () => void }).unref?.();
    await tcpdumpListening(child);
    // Each case's file starts with the pcap header tcpdump writes first.
    await stream.headerRead;
    return stream;
  }

  /** The records from now on go to `sink` too, until `remove`. */
  add(sink: PacketSink): void {
    clearTimeout(this.idle);
    this.idle = undefined;
    this.sinks.add(sink);
  }

  remove(sink: PacketSink): void {
    this.sinks.delete(sink);
    if (this.sinks.size > 0 || this.retired) return;
    clearTimeout(this.idle);
    this.idle = setTimeout(() => this.retire(), IDLE_MS);
    this.idle.unref();
  }

  /** Ends tcpdump when no case has captured for IDLE_MS; a case asking after that gets a new stream. */
  private retire(): void {
    if (this.sinks.size > 0) return;
    this.retired = true;
    PacketStream.streams.delete(this.device);
    this.kill();
  }

  /**
   * Resolves once every packet sent before the call has reached the sinks: a marker datagram sent
   * now has come through. It is sent again every RESEND_MS until it has (a datagram is not
   * guaranteed, even on loopback).
   */
  sync(): Promise<void> {
    if (this.ended) return Promise.reject(new Error(this.ended));
    const token = `sockspec-sync-${randomBytes(8).toString('hex')}`;
    const socket = createSocket('udp4');
    socket.on('error', () => undefined);
    const send = () => socket.send(token, MARKER_PORT, '127.0.0.1', () => undefined);
    const resend = setInterval(send, RESEND_MS);
    const seen = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.markers.delete(token);
        reject(new Error(`tcpdump did not pass on a marker packet within ${SYNC_MS} ms`));
      }, SYNC_MS);
      this.markers.set(token, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    send();
    return seen.finally(() => {
      clearInterval(resend);
      socket.close();
    });
  }

  private kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }

  private take(chunk: Buffer): void {
    const pieces = this.records.cut(chunk);
    if (this.records.header && this.header.length === 0) {
      this.header = this.records.header;
      this.headerSeen();
    }
    // The whole records of this chunk go to the sinks in one call: one call per chunk, not per packet.
    if (pieces.length) for (const sink of this.sinks) sink.record(pieces);
  }

  /** Resolves the sync whose marker this record holds, if it holds one. */
  private seeMarker(record: Buffer): void {
    const text = record.toString('latin1');
    for (const [token, resolve] of this.markers) {
      if (!text.includes(token)) continue;
      this.markers.delete(token);
      resolve();
    }
  }
}

/** Resolves once tcpdump says it is listening; rejects with its own words if it ends first. */

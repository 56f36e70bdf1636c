import { execFile } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync, writevSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { holdUntilExit } from '../targets/exit-cleanup';
import { PacketStream } from './packet-stream';

const run = promisify(execFile);

/**
 * At most this many bytes of packets per case: a case sends at most 4 GiB (docs/limits.md), the
 * bundled ones 16 MiB; past it the capture holds the case's start.
 */
const MAX_BYTES = 512 * 1024 * 1024;
/** How long a kept capture waits for the packets the case's end caused (the server's FIN answering ours). */
const LAST_PACKETS_MS = 100;
/** At most this many key log lines per case (a TLS 1.3 connection logs 5; a connection burst 100s). */
const MAX_KEY_LINES = 20_000;

/** The files a kept capture leaves: the packets, and the TLS secrets when a TLS connection was made. */
export interface CaptureFiles {
  pcap: string;
  /** NSS key log: `tshark -o tls.keylog_file:FILE` (or Wireshark) opens the TLS records with it. */
  keys?: string;
}

export interface CaptureOptions {
  /** The device to listen on: loopback, or `any` for a case whose server is in a network namespace. */
  device?: string;
  /**
   * Where the raw capture is written (default the system's temporary folder): the CLI gives its
   * run's temporary folder, which it removes however the run ends, since the exit hooks of code
   * running inside jest never fire.
   */
  tempDir?: string;
}

/**
 * At most this many bytes of a case's packets are held in memory; past it they go to a file. Every
 * bundled case stays below it but the 16 MiB streams (whose 32 MiB of echo go to a file): a case
 * whose capture nobody reads then never touches the disk.
 */
const IN_MEMORY_BYTES = 16 * 1024 * 1024;

/**
 * One case's packets, like a test container: `start` returns once the capture runs, and `stop`
 * always ends it, keeping the case's part of it only when asked. The capture takes every TCP and
 * UDP packet of the device while the case runs (the ports a case uses appear as it runs: the fault
 * proxy's, a launched server's, the server side of a client suite); `stop` keeps the packets to and
 * from the ports the case watched, so a case run beside others keeps its own traffic only.
 * tcpdump itself runs once per process (PacketStream). The packets are held in memory up to
 * IN_MEMORY_BYTES, and written to a raw file only past that or when something reads them (a wire
 * check, the "why" of a failure, a kept capture); Ctrl-C and an exit on the way remove that file.
 */
export class PacketCapture {
  private readonly ports = new Set<number>();
  private readonly keyLines: string[] = [];
  /** Bytes of packets taken, in memory and in the raw file. */
  private bytes = 0;
  private inMemory: Buffer[] = [];
  private raw: RawFile | undefined;
  private taking = true;
  private readonly sink = { record: (pieces: readonly Buffer[]) => this.take(pieces) };

  private constructor(
    private readonly stream: PacketStream,
    private readonly tempDir: string,
  ) {
    stream.add(this.sink);
  }

  static async start(options: CaptureOptions = {}): Promise<PacketCapture> {
    const stream = await PacketStream.of(options.device ?? 'lo');
    return new PacketCapture(stream, options.tempDir ?? os.tmpdir());
  }

  /** Keep the packets to and from this port (a server's, or one of the case's own connections). */
  watchPort(port: number | undefined): void {
    if (port) this.ports.add(port);
  }

  get watchedPorts(): number[] {
    return [...this.ports].sort((a, b) => a - b);
  }

  /** A line of a TLS socket's 'keylog' event (NSS key log format). */
  addKeyLine(line: Buffer | string): void {
    if (this.keyLines.length < MAX_KEY_LINES) this.keyLines.push(line.toString().trimEnd());
  }

  /** The key log lines so far. */
  keyLog(): readonly string[] {
    return this.keyLines;
  }

  /** The BPF filter of the case's own packets (none when it watched no port). */
  get ownPackets(): string {
    return this.ports.size ? `(tcp or udp) and (${this.watchedPorts.map((p) => `port ${p}`).join(' or ')})` : 'less 0';
  }

  /** The raw capture, holding every packet sent before the call: what tshark reads during the case. */
  async rawFile(): Promise<string> {
    await this.stream.sync();
    return this.toFile().path;
  }

  /**
   * Ends the capture and drops its packets. With `keepAs` (a path without extension) the case's
   * packets are written to `keepAs.pcap` first, and its key log to `keepAs.keys` when it has one.
   */
  async stop(keepAs?: string): Promise<CaptureFiles | undefined> {
    try {
      if (keepAs === undefined) return undefined;
      // The last packets (the server's answer to our close) are on their way: they are part of the case.
      await new Promise((resolve) => setTimeout(resolve, LAST_PACKETS_MS));
      await this.stream.sync().catch(() => undefined);
      this.stopTaking();
      const raw = this.toFile();
      raw.close();
      mkdirSync(path.dirname(keepAs), { recursive: true });
      const pcap = `${keepAs}.pcap`;
      await run('tcpdump', ['-n', '-r', raw.path, '-w', pcap, this.ownPackets], { timeout: 60_000 });
      if (this.keyLines.length === 0) return { pcap };
      const keys = `${keepAs}.keys`;
      writeFileSync(keys, `${this.keyLines.join('\n')}\n`);
      return { pcap, keys };
    } finally {
      this.stopTaking();
      this.inMemory = [];
      this.raw?.remove();
    }
  }

  private take(pieces: readonly Buffer[]): void {
    if (this.bytes >= MAX_BYTES) return;
    for (const piece of pieces) this.bytes += piece.length;
    if (this.raw) this.raw.write(pieces);
    else this.inMemory.push(...pieces);
    if (!this.raw && this.bytes > IN_MEMORY_BYTES) this.toFile();
  }

  /** The raw file, written from memory the first time: from then on the packets go there. */
  private toFile(): RawFile {
    if (!this.raw) {
      this.raw = new RawFile(this.tempDir, this.stream.header);
      this.raw.write(this.inMemory);
      this.inMemory = [];
    }
    return this.raw;
  }

  private stopTaking(): void {
    if (!this.taking) return;
    this.taking = false;
    this.stream.remove(this.sink);
  }
}

/** A capture's packets on disk, in a temporary folder of its own that an exit on the way removes too. */
class RawFile {
  readonly path: string;
  private readonly folder: string;
  private fd: number | undefined;
  private readonly release: () => void;

  constructor(tempDir: string, header: Buffer) {
    this.folder = mkdtempSync(path.join(tempDir, 'sockspec-capture-'));
    this.path = path.join(this.folder, 'raw.pcap');
    this.fd = openSync(this.path, 'w');
    writeSync(this.fd, header);
    this.release = holdUntilExit({ stop: async () => this.removeNow(), removeNow: () => this.removeNow() });
  }

  write(pieces: readonly Buffer[]): void {
    if (this.fd !== undefined && pieces.length) writevSync(this.fd, pieces as Buffer[]);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  remove(): void {
    this.removeNow();
    this.release();
  }

  private removeNow(): void {
    this.close();
    rmSync(this.folder, { recursive: true, force: true });
  }
}

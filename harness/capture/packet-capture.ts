import { execFile } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
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
 * One case's packets, like a test container: `start` returns once the capture runs, and `stop`
 * always ends it and removes the raw file, keeping the case's part of it only when asked. The
 * capture takes every TCP and UDP packet of the device while the case runs (the ports a case uses
 * appear as it runs: the fault proxy's, a launched server's, the server side of a client suite);
 * `stop` keeps the packets to and from the ports the case watched, so a case run beside others
 * keeps its own traffic only. tcpdump itself runs once per process (PacketStream); Ctrl-C and an
 * exit on the way end it and remove the raw file.
 */
export class PacketCapture {
  private readonly ports = new Set<number>();
  private readonly keyLines: string[] = [];
  private bytes = 0;
  private fd: number | undefined;
  private readonly release: () => void;
  private readonly sink = { record: (records: Buffer) => this.write(records) };

  private constructor(
    private readonly stream: PacketStream,
    private readonly folder: string,
    private readonly file: string,
  ) {
    this.fd = openSync(file, 'w');
    writeSync(this.fd, stream.header);
    stream.add(this.sink);
    this.release = holdUntilExit({ stop: async () => this.removeNow(), removeNow: () => this.removeNow() });
  }

  static async start(options: CaptureOptions = {}): Promise<PacketCapture> {
    const stream = await PacketStream.of(options.device ?? 'lo');
    const folder = mkdtempSync(path.join(options.tempDir ?? os.tmpdir(), 'sockspec-capture-'));
    return new PacketCapture(stream, folder, path.join(folder, 'raw.pcap'));
  }

  /** Keep the packets to and from this port (a server's, or one of the case's own connections). */
  watchPort(port: number | undefined): void {
    if (port) this.ports.add(port);
  }

  get watchedPorts(): number[] {
    return [...this.ports].sort((a, b) => a - b);
  }

  /** A line of a TLS socket's 'keylog' event (NSS key log format). */
  keyLog(line: Buffer | string): void {
    if (this.keyLines.length < MAX_KEY_LINES) this.keyLines.push(line.toString().trimEnd());
  }

  /** The BPF filter of the case's own packets (none when it watched no port). */
  get ownPackets(): string {
    return this.ports.size ? `(tcp or udp) and (${this.watchedPorts.map((p) => `port ${p}`).join(' or ')})` : 'less 0';
  }

  /** The raw capture, holding every packet sent before the call: what tshark reads during the case. */
  async rawFile(): Promise<string> {
    await this.stream.sync();
    return this.file;
  }

  /**
   * Ends the capture and removes the raw file. With `keepAs` (a path without extension) the
   * case's packets are written to `keepAs.pcap` first, and its key log to `keepAs.keys` when it
   * has one.
   */
  async stop(keepAs?: string): Promise<CaptureFiles | undefined> {
    try {
      if (keepAs === undefined) return undefined;
      // The last packets (the server's answer to our close) are on their way: they are part of the case.
      await new Promise((resolve) => setTimeout(resolve, LAST_PACKETS_MS));
      await this.stream.sync().catch(() => undefined);
      this.closeFile();
      mkdirSync(path.dirname(keepAs), { recursive: true });
      const pcap = `${keepAs}.pcap`;
      await run('tcpdump', ['-n', '-r', this.file, '-w', pcap, this.ownPackets], { timeout: 60_000 });
      if (this.keyLines.length === 0) return { pcap };
      const keys = `${keepAs}.keys`;
      writeFileSync(keys, `${this.keyLines.join('\n')}\n`);
      return { pcap, keys };
    } finally {
      this.removeNow();
      this.release();
    }
  }

  private write(records: Buffer): void {
    if (this.fd === undefined || this.bytes >= MAX_BYTES) return;
    this.bytes += records.length;
    writeSync(this.fd, records);
  }

  private closeFile(): void {
    this.stream.remove(this.sink);
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private removeNow(): void {
    this.closeFile();
    rmSync(this.folder, { recursive: true, force: true });
  }
}

import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { holdUntilExit } from '../targets/exit-cleanup';

const run = promisify(execFile);

/** How long tcpdump may take to open the device, on a loaded machine. */
const READY_MS = 5000;
/** How long tcpdump may take to write its last packets and exit after SIGINT. */
const STOP_MS = 3000;
/**
 * At most this many packets per case: the suites bound what a case sends (16 MiB at most, some
 * 300 segments on loopback), so only a runaway case reaches it; the capture then holds its start.
 */
const MAX_PACKETS = 200_000;
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
}

/**
 * One case's packets, like a test container: `startCapture` returns once tcpdump is listening,
 * and `stop` always ends tcpdump and removes the raw file, keeping the case's part of it only when
 * asked. The capture takes every TCP and UDP packet of the device (the ports a case uses appear as
 * it runs: the fault proxy's, a launched server's, the server side of a client suite); `stop`
 * keeps the packets to and from the ports the case watched, so a case run beside others keeps its
 * own traffic only. Ctrl-C and an exit on the way also end tcpdump and remove the raw file.
 */
export class PacketCapture {
  private readonly ports = new Set<number>();
  private readonly keyLines: string[] = [];
  private stopped?: Promise<void>;
  private readonly release: () => void;

  private constructor(
    private readonly child: ChildProcess,
    private readonly folder: string,
    /** The raw capture, growing while the case runs: tshark reads it as it is. */
    readonly rawFile: string,
  ) {
    this.release = holdUntilExit({ stop: () => this.end(), removeNow: () => this.removeNow() });
  }

  static async start(options: CaptureOptions = {}): Promise<PacketCapture> {
    const folder = mkdtempSync(path.join(os.tmpdir(), 'sockspec-capture-'));
    const rawFile = path.join(folder, 'raw.pcap');
    // --immediate-mode and -U write each packet as it comes (not a ring buffer block later), so a wire check during the case reads it; -s 0 keeps whole packets (TLS decryption needs them).
    const args = ['-i', options.device ?? 'lo', '-n', '--immediate-mode', '-U', '-s', '0', '-c', String(MAX_PACKETS), '-w', rawFile, 'tcp or udp'];
    const child = spawn('tcpdump', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    const capture = new PacketCapture(child, folder, rawFile);
    try {
      await listening(child);
    } catch (err) {
      await capture.end();
      throw err;
    }
    return capture;
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

  /**
   * Ends tcpdump (its last packets written) and removes the raw capture. With `keepAs` (a path
   * without extension) the case's packets are written to `keepAs.pcap` first, and its key log to
   * `keepAs.keys` when it has one.
   */
  async stop(keepAs?: string): Promise<CaptureFiles | undefined> {
    try {
      await this.end(false);
      if (keepAs === undefined) return undefined;
      mkdirSync(path.dirname(keepAs), { recursive: true });
      const pcap = `${keepAs}.pcap`;
      await run('tcpdump', ['-n', '-r', this.rawFile, '-w', pcap, this.ownPackets], { timeout: 60_000 });
      if (this.keyLines.length === 0) return { pcap };
      const keys = `${keepAs}.keys`;
      writeFileSync(keys, `${this.keyLines.join('\n')}\n`);
      return { pcap, keys };
    } finally {
      this.removeNow();
      this.release();
    }
  }

  /** SIGINT makes tcpdump flush and exit; one that does not within STOP_MS is killed. */
  private end(remove = true): Promise<void> {
    this.stopped ??= new Promise<void>((resolve) => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) return resolve();
      const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_MS);
      this.child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      this.child.kill('SIGINT');
    });
    return remove ? this.stopped.then(() => this.removeNow()) : this.stopped;
  }

  private removeNow(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    rmSync(this.folder, { recursive: true, force: true });
  }
}

/** Resolves once tcpdump says it is listening; rejects with its own words if it ends first. */
function listening(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let said = '';
    const timer = setTimeout(() => reject(new Error(`tcpdump did not start capturing within ${READY_MS} ms`)), READY_MS);
    child.stderr?.on('data', (piece: Buffer) => {
      said += piece.toString();
      if (/listening on/.test(said)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`could not run tcpdump: ${err.message}`));
    });
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`tcpdump ended: ${said.trim().split('\n').pop() ?? ''}`));
    });
  });
}

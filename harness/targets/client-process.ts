import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, type Hash } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { OUTPUT_BOUNDS, OutputTail } from './output-tail';
import { forget, signalGroup, trackForExit } from './server-process';
import type { Payload } from '../net/payload';
import { drainedOrClosed } from '../net/drained';

/** How a client process ended: its code or signal, and when (Date.now()). */
export interface ClientExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  at: number;
}

/** Bytes a client wrote to stdout: the first OUTPUT_BOUNDS.chars of them, and the count and SHA-256 of all. */
export interface CapturedBytes {
  kept: Buffer;
  total: number;
  sha256: string;
}

/** How long after its exit a client's last output may still be on its way through the pipes. */
const OUTPUT_GRACE_MS = 500;
/** Bytes of stdin written per write: a client that never reads its stdin only ever blocks sockspec's writer. */
const STDIN_PIECE = 64 * 1024;

/**
 * A client under test, run once: in a process group of its own (so the children it forks end with
 * it), fed a payload on stdin, its stdout kept as bytes (a client's stdout is what it received,
 * checked byte for byte) and its stderr as timed lines, both within the bounds of OUTPUT_BOUNDS.
 * Killed on the way out if this process exits first.
 */
export class ClientProcess {
  readonly stderr = new OutputTail();
  readonly startedAt = Date.now();
  /** Resolves once the process has exited and its output is read (or OUTPUT_GRACE_MS after, when a child holds the pipes). */
  readonly exited: Promise<ClientExit>;
  spawnError: Error | undefined;
  private exit: ClientExit | undefined;
  private readonly child: ChildProcess;
  private readonly stdoutKept: Buffer[] = [];
  private stdoutKeptBytes = 0;
  private stdoutTotal = 0;
  private readonly stdoutHash: Hash = createHash('sha256');
  private readonly stdoutListeners: ((chunk: Buffer) => void)[] = [];

  /** `env`: variables set for the client on top of sockspec's own environment. */
  constructor(program: string, args: readonly string[], env: Readonly<Record<string, string>> = {}) {
    this.child = spawn(program, args, { detached: true, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    (this.child.stdout as Readable).on('data', (chunk: Buffer) => this.keepStdout(chunk));
    this.stderr.follow(this.child.stderr as Readable);
    // A client that exits without reading all its stdin closes the pipe: not sockspec's failure.
    (this.child.stdin as Writable).on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      this.child.once('error', (err) => {
        this.spawnError = err;
        this.exit = { code: null, signal: null, at: Date.now() };
        forget(this);
        resolve(this.exit);
      });
      this.child.once('exit', (code, signal) => {
        const exit = { code, signal, at: Date.now() };
        this.exit = exit;
        forget(this);
        const grace = setTimeout(() => resolve(exit), OUTPUT_GRACE_MS);
        this.child.once('close', () => {
          clearTimeout(grace);
          resolve(exit);
        });
      });
    });
    trackForExit(this);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /**
   * Writes the payload to stdin in order, respecting the pipe's backpressure, in pieces of `chunk`
   * bytes (0: as large as the pipe takes) with `delay` ms between them; then closes stdin unless
   * told to keep it open.
   */
  async feed(payload: Payload, { chunk = 0, delay = 0, keepOpen = false }: { chunk?: number; delay?: number; keepOpen?: boolean } = {}): Promise<void> {
    const stdin = this.child.stdin as Writable;
    const stream = payload.open();
    const piece = chunk > 0 ? chunk : STDIN_PIECE;
    for (let next = stream.read(piece), first = true; next.length > 0; next = stream.read(piece), first = false) {
      if (delay > 0 && !first) await new Promise((resolve) => setTimeout(resolve, delay));
      if (stdin.destroyed || this.exit) return;
      if (!stdin.write(next)) await drainedOrClosed(stdin);
    }
    if (!keepOpen && !stdin.destroyed) stdin.end();
  }

  /** `code 0`, `SIGKILL`, `could not start: ENOENT`, or undefined while it runs. */
  get exitDescription(): string | undefined {
    if (this.spawnError) return `could not start: ${(this.spawnError as NodeJS.ErrnoException).code ?? this.spawnError.message}`;
    if (!this.exit) return undefined;
    return this.exit.code !== null ? `code ${this.exit.code}` : `${this.exit.signal}`;
  }

  stdout(): CapturedBytes {
    return { kept: Buffer.concat(this.stdoutKept, this.stdoutKeptBytes), total: this.stdoutTotal, sha256: this.stdoutHash.copy().digest('hex') };
  }

  /** Kills the whole group at once: a case's client never outlives its case. */
  killNow(): void {
    if (this.child.pid !== undefined) signalGroup(this.child.pid, 'SIGKILL');
  }

  /** Kills the group and waits for the exit to be seen (its output read). */
  async kill(): Promise<void> {
    this.killNow();
    if (!this.spawnError) await this.exited;
  }

  /** Calls `listener` with each piece of stdout as it comes: for the case's timeline. */
  onStdout(listener: (chunk: Buffer) => void): void {
    this.stdoutListeners.push(listener);
  }

  private keepStdout(chunk: Buffer): void {
    for (const listener of this.stdoutListeners) listener(chunk);
    this.stdoutTotal += chunk.length;
    this.stdoutHash.update(chunk);
    const room = OUTPUT_BOUNDS.chars - this.stdoutKeptBytes;
    if (room <= 0) return;
    const kept = chunk.length <= room ? chunk : chunk.subarray(0, room);
    this.stdoutKept.push(kept);
    this.stdoutKeptBytes += kept.length;
  }
}

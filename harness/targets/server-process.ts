import { spawn, type ChildProcess } from 'node:child_process';
import { OutputTail } from './output-tail';

/** How a stop went: whether the process left on SIGTERM within the time, or had to be killed. */
export interface StopReport {
  graceful: boolean;
  exit: string;
  ms: number;
}

/** How long after its exit a process's last output may still be on its way through the pipes. */
const OUTPUT_GRACE_MS = 500;

/**
 * One server process in a process group of its own (so a stop reaches the children it forked),
 * with its last output lines kept for error messages. Killed on the way out if this process exits
 * first (Ctrl-C included).
 */
export class ServerProcess {
  readonly output = new OutputTail();
  spawnError: Error | undefined;
  /**
   * Resolves with the time it exited, once its output is read too (its pipes closed, or after
   * OUTPUT_GRACE_MS when children it left behind hold them open).
   */
  readonly ended: Promise<number>;
  private exitedFlag = false;
  private readonly child: ChildProcess;

  constructor(program: string, args: string[]) {
    this.child = spawn(program, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.output.follow(this.child.stdout as NonNullable<ChildProcess['stdout']>);
    this.output.follow(this.child.stderr as NonNullable<ChildProcess['stderr']>);
    this.child.on('error', (err) => {
      this.exitedFlag = true;
      this.spawnError = err;
    });
    this.child.on('exit', () => {
      this.exitedFlag = true;
      running.delete(this);
    });
    this.ended = new Promise((resolve) => {
      this.child.once('exit', () => {
        const at = Date.now();
        const grace = setTimeout(() => resolve(at), OUTPUT_GRACE_MS);
        this.child.once('close', () => {
          clearTimeout(grace);
          resolve(at);
        });
      });
    });
    trackForExit(this);
  }

  get exited(): boolean {
    return this.exitedFlag;
  }

  /** `code 3`, `SIGTERM`, `not found (ENOENT)`, or undefined while running. */
  get exitDescription(): string | undefined {
    if (this.spawnError) return `could not start: ${(this.spawnError as NodeJS.ErrnoException).code ?? this.spawnError.message}`;
    if (this.child.exitCode !== null) return `code ${this.child.exitCode}`;
    if (this.child.signalCode !== null) return this.child.signalCode;
    return undefined;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Resolves true when the process has exited, false when the deadline passed first. */
  waitForExit(deadline: number): Promise<boolean> {
    if (this.exitedFlag) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.child.off('exit', onExit);
        resolve(this.exitedFlag);
      }, Math.max(0, deadline - Date.now()));
      const onExit = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.child.once('exit', onExit);
    });
  }

  /** SIGTERM to the group, SIGKILL after `timeoutMs`; then SIGKILL for any children left behind. */
  async stop(timeoutMs: number): Promise<StopReport> {
    const started = Date.now();
    const pid = this.child.pid;
    if (this.exitedFlag || pid === undefined) {
      // The leader is gone; children it forked may still hold the port.
      if (pid !== undefined) signalGroup(pid, 'SIGKILL');
      return { graceful: true, exit: this.exitDescription ?? 'not running', ms: 0 };
    }
    signalGroup(pid, 'SIGTERM');
    const graceful = await this.waitForExit(started + timeoutMs);
    if (!graceful) {
      signalGroup(pid, 'SIGKILL');
      await this.waitForExit(Date.now() + 2000);
    }
    signalGroup(pid, 'SIGKILL');
    running.delete(this);
    return { graceful, exit: this.exitDescription ?? 'unknown', ms: Date.now() - started };
  }

  killNow(): void {
    if (this.child.pid !== undefined && !this.exitedFlag) signalGroup(this.child.pid, 'SIGKILL');
  }
}

/** Sends `signal` to a process group; one already gone is not an error. */
export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** What is killed on the way out: a process sockspec started and has not stopped yet. */
interface Killable {
  killNow(): void;
}

const running = new Set<Killable>();
let exitHookInstalled = false;

/** Kills `server` (its process group) if this process exits first; `forget` when it is stopped. */
export function trackForExit(server: Killable): void {
  running.add(server);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const s of running) s.killNow();
  });
}

export function forget(server: Killable): void {
  running.delete(server);
}

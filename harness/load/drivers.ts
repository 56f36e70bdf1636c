import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { PACKAGE_ROOT } from '../package-paths';
import type { DriverMessage, HaltMessage, Task, TaskMessage, TaskResult } from './protocol';

/** The driver's entry, always the build's: a child process runs JavaScript. */
const DRIVER_ENTRY = path.join(PACKAGE_ROOT, 'dist', 'harness', 'load', 'driver-main.js');
/** How long a driver may take to start and say it is listening for tasks: a Node start, on a machine the server under test may be loading hard. */
const START_MS = 30_000;

/**
 * Load drivers: child processes that hold and drive connections (driver-main.ts). `start` returns
 * once every one runs; `stop` kills them all and resolves when each has exited, whatever they were
 * doing, so a case leaves no process behind (register it with the case's clean-up). A driver also
 * exits by itself when this process goes away (its IPC channel closes), Ctrl-C included.
 */
export class LoadDrivers {
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (r: TaskResult) => void; reject: (e: Error) => void }>();
  /** The latest count of open connections each driver reported (a ramp's progress). */
  readonly open: number[];

  private constructor(private readonly children: ChildProcess[]) {
    this.open = children.map(() => 0);
    children.forEach((child, i) => {
      child.on('message', (message: DriverMessage) => {
        if ('ready' in message) return;
        if ('open' in message) {
          this.open[i] = message.open;
          return;
        }
        const waiter = this.waiting.get(message.id);
        this.waiting.delete(message.id);
        if ('error' in message) waiter?.reject(new Error(`load driver ${i + 1}: ${message.error}`));
        else waiter?.resolve(message.result);
      });
      child.on('exit', (code, signal) => {
        for (const [id, waiter] of this.waiting) {
          this.waiting.delete(id);
          waiter.reject(new Error(`load driver ${i + 1} exited (${signal ?? `code ${code}`}) during its task`));
        }
      });
    });
  }

  static async start(count: number): Promise<LoadDrivers> {
    const children = Array.from({ length: count }, () => fork(DRIVER_ENTRY, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' }));
    const drivers = new LoadDrivers(children);
    try {
      await Promise.all(children.map((child) => spawned(child)));
    } catch (err) {
      await drivers.stop();
      throw err;
    }
    return drivers;
  }

  get count(): number {
    return this.children.length;
  }

  /** The process ids, for a check that none is left behind. */
  get pids(): number[] {
    return this.children.map((child) => child.pid ?? 0);
  }

  /** Gives driver i a task and resolves with its result. */
  run<R extends TaskResult>(i: number, task: Task): Promise<R> {
    const id = this.nextId++;
    return new Promise<R>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (r: TaskResult) => void, reject });
      this.children[i].send({ id, run: task } satisfies TaskMessage);
    });
  }

  /** Gives every driver its task (from its index) and resolves with their results, in order. */
  runAll<R extends TaskResult>(task: (i: number) => Task): Promise<R[]> {
    return Promise.all(this.children.map((_, i) => this.run<R>(i, task(i))));
  }

  /** Tells every driver to stop what is under way (a ramp) as soon as it can. */
  halt(): void {
    for (const child of this.children) if (child.connected) child.send({ halt: true } satisfies HaltMessage);
  }

  /** Kills every driver and resolves once each has exited. */
  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once('exit', () => resolve());
            child.kill('SIGKILL');
          }),
      ),
    );
  }
}

/** Resolves when the child says it takes tasks, rejects with its error (or its stderr) when it cannot start. */
function spawned(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < 2000) stderr += chunk.toString();
    });
    const timer = setTimeout(() => reject(new Error(`a load driver did not start within ${START_MS} ms`)), START_MS);
    child.on('message', (message: DriverMessage) => {
      if (!('ready' in message)) return;
      clearTimeout(timer);
      resolve();
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`a load driver could not start: ${err.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`a load driver exited at start (code ${code})${stderr ? `: ${stderr.trim()}` : ''}`));
    });
  });
}

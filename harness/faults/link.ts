import type net from 'node:net';
import type { Inlet } from './inlet';
import type { Random } from './random';
import { SocketSink } from './socket-sink';
import { StageRunner, type RunnerHost } from './stage-runner';
import type { Direction, Toxic } from './toxic';

export interface LinkHooks {
  delivered(direction: Direction, bytes: number): void;
  /** A toxic ended `link`'s direction and wants the connection closed. */
  closeConnection(link: Link): void;
  reset(): void;
}

/**
 * One direction of a proxied connection: reads `from`, passes each chunk through the stages of the
 * toxics applied to this connection (in the order they were added, as Toxiproxy chains them), and
 * writes to `to`. With no toxics the reading socket writes straight into the writing one.
 */
export class Link implements RunnerHost {
  private readonly runners: StageRunner[] = [];
  private readonly sink: SocketSink;
  private discarding = false;

  constructor(
    readonly direction: Direction,
    private readonly from: net.Socket,
    to: net.Socket,
    private readonly hooks: LinkHooks,
  ) {
    this.sink = new SocketSink(to, (bytes) => hooks.delivered(direction, bytes));
    from.on('data', (data: Buffer) => this.read(data));
    from.on('end', () => {
      if (!this.discarding) this.first().end();
    });
  }

  /** Appends a toxic's stage: a toxic added to a live connection sees only later bytes. */
  add(id: string, toxic: Toxic, random: Random): void {
    this.runners.push(new StageRunner(id, toxic, random, this));
  }

  remove(id: string): void {
    for (const runner of this.runners) if (runner.id === id) runner.remove();
  }

  /** Bytes inside the proxy in this direction: stage queues and the writing socket's buffer. */
  get buffered(): number {
    return this.runners.reduce((sum, runner) => sum + runner.buffered, this.sink.buffered);
  }

  /** Resolves once this direction's FIN has left (or the writing socket is gone). */
  finished(): Promise<void> {
    return this.sink.finished();
  }

  /** The connection is closing or gone: stop every stage and read only to discard. */
  stop(): void {
    this.discarding = true;
    for (const runner of this.runners.splice(0)) runner.stop();
    this.from.resume();
  }

  after(runner: StageRunner): Inlet {
    return this.runners[this.runners.indexOf(runner) + 1] ?? this.sink;
  }

  detach(runner: StageRunner): void {
    const index = this.runners.indexOf(runner);
    if (index >= 0) this.runners.splice(index, 1);
  }

  closeConnection(): void {
    this.hooks.closeConnection(this);
  }

  reset(): void {
    this.hooks.reset();
  }

  private first(): Inlet {
    return this.runners[0] ?? this.sink;
  }

  /** Pauses the reading socket while the first hop is full: the sender's TCP window does the rest. */
  private read(data: Buffer): void {
    if (this.discarding) return;
    const next = this.first();
    if (next.write({ data, at: performance.now() })) return;
    this.from.pause();
    void next.ready().then(() => {
      if (!this.discarding) this.from.resume();
    });
  }
}

import type { Inlet } from './inlet';
import type { Random } from './random';
import type { Chunk, StageContext, Toxic, ToxicStage } from './toxic';

/** Bytes that may wait in front of a stage that does not ask for more: a few socket reads. */
const DEFAULT_BUFFER_BYTES = 64 * 1024;

/** What a runner needs from the direction it sits in. */
export interface RunnerHost {
  /** The next hop after this runner: the following stage, or the writing socket. */
  after(runner: StageRunner): Inlet;
  /** Takes a removed runner out of the chain once it holds nothing. */
  detach(runner: StageRunner): void;
  /** A toxic ended this direction: close the connection once that FIN is out. */
  closeConnection(): void;
  reset(): void;
}

/**
 * Runs one toxic's stage on one connection: queues what arrives (bounded, so the reading socket is
 * paused rather than memory growing), feeds the stage one chunk at a time, and passes the FIN on
 * after the last chunk. A toxic removed from a live connection turns its runner into a pass-through
 * that forwards what it still holds, in order, then leaves the chain (Toxiproxy's interrupt).
 */
export class StageRunner implements Inlet {
  private readonly queue: Chunk[] = [];
  private queued = 0;
  private readonly waiters: Array<() => void> = [];
  private readonly controller = new AbortController();
  private readonly stage: ToxicStage;
  private readonly limit: number;
  private busy = false;
  /** The sender's FIN has arrived. */
  private ended = false;
  /** The stage asked to close the connection: input is dropped from now on. */
  private closing = false;
  /** The FIN has been passed on. */
  private finished = false;
  private removed = false;
  /** The connection is gone or the runner left the chain: everything is dropped. */
  private stopped = false;

  constructor(
    readonly id: string,
    toxic: Toxic,
    random: Random,
    private readonly host: RunnerHost,
  ) {
    this.stage = toxic.stage(this.context(random));
    this.limit = this.stage.bufferBytes ?? DEFAULT_BUFFER_BYTES;
  }

  get buffered(): number {
    return this.queued;
  }

  write(chunk: Chunk): boolean {
    if (this.stopped || this.closing || this.finished) return true;
    this.queue.push(chunk);
    this.queued += chunk.data.length;
    this.kick();
    return this.queued < this.limit;
  }

  end(): void {
    this.ended = true;
    this.kick();
  }

  ready(): Promise<void> {
    if (this.queued < this.limit || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The toxic was removed: its cleanup runs, its waits end, and what it holds goes on. */
  remove(): void {
    if (this.removed || this.stopped) return;
    this.removed = true;
    this.stage.removed?.();
    this.controller.abort();
    this.kick();
  }

  /** The connection is gone: cancel every timer and drop what is queued. */
  stop(): void {
    this.stopped = true;
    this.controller.abort();
    this.drop();
  }

  private context(random: Random): StageContext {
    const signal = this.controller.signal;
    return {
      random,
      signal,
      emit: (chunk) => this.emit(chunk),
      // The signal aborts after a removed toxic's cleanup, which may still close the connection.
      close: () => {
        if (signal.aborted) return;
        this.closing = true;
        this.drop();
        this.kick();
      },
      reset: () => {
        if (!signal.aborted) this.host.reset();
      },
    };
  }

  private async emit(chunk: Chunk): Promise<void> {
    if (this.stopped) return;
    const next = this.host.after(this);
    if (!next.write(chunk)) await next.ready();
  }

  private kick(): void {
    if (this.busy || this.stopped) return;
    this.busy = true;
    // A throwing stage is a bug in a toxic; resetting the connection shows it in the case at hand.
    this.run().catch(() => this.host.reset());
  }

  private async run(): Promise<void> {
    while (this.queue.length > 0 && !this.closing && !this.stopped) {
      const chunk = this.queue.shift() as Chunk;
      this.queued -= chunk.data.length;
      if (this.queued < this.limit) this.release();
      await (this.removed ? this.emit(chunk) : this.stage.data(chunk));
    }
    if (!this.stopped && !this.finished && (this.ended || this.closing)) await this.finish();
    this.busy = false;
    if (this.removed && !this.stopped && this.queue.length === 0) {
      this.stopped = true;
      this.host.detach(this);
      this.release();
    }
  }

  private async finish(): Promise<void> {
    this.finished = true;
    if (!this.closing && !this.removed) await this.stage.end?.();
    if (this.stopped) return;
    this.host.after(this).end();
    if (this.closing) this.host.closeConnection();
  }

  private drop(): void {
    this.queue.length = 0;
    this.queued = 0;
    this.release();
  }

  private release(): void {
    for (const resume of this.waiters.splice(0)) resume();
  }
}

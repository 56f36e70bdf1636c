import type { Payload } from './payload';

/**
 * Sends of one connection: written in order in the background, each after the one before, while
 * the payloads are remembered as what an echo server owes back.
 */
export class SendQueue {
  private writes: Promise<void> = Promise.resolve();
  private owed: Payload[] = [];

  /** Queues `write` after the earlier writes; `owed` is what its echo should bring back. */
  push(owed: Payload[], write: () => Promise<void>): void {
    this.owed.push(...owed);
    this.writes = this.writes.then(write);
  }

  /** The payloads sent since the last call: what an echo server owes back. */
  takePendingEcho(): Payload[] {
    const owed = this.owed;
    this.owed = [];
    return owed;
  }

  /** Resolves when every queued write has been handed to the kernel (or could not be). */
  flushed(): Promise<void> {
    return this.writes;
  }
}

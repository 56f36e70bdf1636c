/**
 * A readers-writer gate: any number of shared holders at once, or one exclusive holder alone.
 * An exclusive request waits for the shared holders to leave and holds new ones back, so it is
 * never starved by a stream of shared ones.
 */
export class SharedGate {
  private shared = 0;
  private exclusive = false;
  private readonly waiting: { exclusive: boolean; admit: () => void }[] = [];

  /** Resolves with the release once admitted. */
  enter(exclusive: boolean): Promise<() => void> {
    return new Promise((resolve) => {
      this.waiting.push({ exclusive, admit: () => resolve(() => this.leave(exclusive)) });
      this.admitWaiting();
    });
  }

  private leave(exclusive: boolean): void {
    if (exclusive) this.exclusive = false;
    else this.shared--;
    this.admitWaiting();
  }

  /** In arrival order: shared requests up to the first exclusive one, which goes once the gate is empty. */
  private admitWaiting(): void {
    while (this.waiting.length && !this.exclusive) {
      const next = this.waiting[0];
      if (next.exclusive && this.shared > 0) return;
      this.waiting.shift();
      if (next.exclusive) this.exclusive = true;
      else this.shared++;
      next.admit();
      if (next.exclusive) return;
    }
  }
}

/**
 * Things a run holds outside this process (containers, network namespaces) that would outlive it:
 * each is stopped on SIGINT/SIGTERM and removed synchronously on exit. The hooks exist only while
 * something is held, so an idle process keeps the default signal behaviour.
 */
export interface Held {
  /** The normal, asynchronous release (what the owner's stop() does). */
  stop(): Promise<void>;
  /** A synchronous last resort for the `exit` event, where nothing asynchronous runs. */
  removeNow(): void;
}

const held = new Set<Held>();
const SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

/** Holds `item` until the returned release is called (by the owner once it has stopped it). */
export function holdUntilExit(item: Held): () => void {
  if (held.size === 0) {
    for (const signal of SIGNALS) process.on(signal, stopAllThenRaise);
    process.on('exit', removeAllNow);
  }
  held.add(item);
  return () => {
    if (!held.delete(item) || held.size > 0) return;
    for (const signal of SIGNALS) process.off(signal, stopAllThenRaise);
    process.off('exit', removeAllNow);
  };
}

/**
 * Our listener replaces the default action (exit). A program with a handler of its own decides how
 * to end (the CLI stops its target, then exits with 130); otherwise the signal is raised again once
 * everything held is gone.
 */
async function stopAllThenRaise(signal: NodeJS.Signals): Promise<void> {
  const handledElsewhere = process.listeners(signal).some((listener) => listener !== stopAllThenRaise);
  await Promise.allSettled([...held].map((item) => item.stop()));
  if (handledElsewhere) return;
  removeAllNow();
  process.off(signal, stopAllThenRaise);
  process.kill(process.pid, signal);
}

function removeAllNow(): void {
  for (const item of held) {
    try {
      item.removeNow();
    } catch {
      // Nothing more can be done while the process exits.
    }
  }
}

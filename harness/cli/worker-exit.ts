import { readdirSync } from 'node:fs';
import { isRunning, parentOf } from '../netns/namespace';

/** How long an interrupted run waits for jest's workers to stop what they hold (servers, namespaces). */
const WORKER_EXIT_MS = 5_000;
const POLL_MS = 50;

/** The processes this one started that still run: jest's workers, in a run in parallel (Linux /proc; none elsewhere). */
export function childProcesses(): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries.filter((entry) => /^\d+$/.test(entry)).map(Number).filter((pid) => parentOf(pid) === process.pid);
}

/**
 * Waits until the processes are gone, for at most WORKER_EXIT_MS. jest's workers get the Ctrl-C
 * too (they are in the terminal's process group) and stop their servers on their way out: the
 * run ends when they have, so that nothing it started outlives it.
 */
export async function processesExited(pids: readonly number[]): Promise<void> {
  const deadline = Date.now() + WORKER_EXIT_MS;
  while (pids.some(isRunning) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
}


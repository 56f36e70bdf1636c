import type { ChildProcess } from 'node:child_process';

/** How long tcpdump may take to open its device, on a loaded machine. */
const READY_MS = 5000;

/**
 * Resolves once tcpdump says it is listening (on stderr), so that no packet sent afterwards is
 * missed; rejects with what it said if it ends or cannot run, or if it is not ready in time.
 */
export function tcpdumpListening(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let said = '';
    const timer = setTimeout(() => reject(new Error(`tcpdump did not start capturing within ${READY_MS} ms`)), READY_MS);
    child.stderr?.on('data', (piece: Buffer) => {
      if (said.length < 4096) said += piece.toString();
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

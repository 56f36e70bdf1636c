import { procSockets } from './proc-sockets';
import net from 'node:net';

export interface ReadinessResult {
  ready: boolean;
  attempts: number;
}

export interface BackoffOptions {
  deadline: number;
  /** False once the server process is gone: stop waiting at once. */
  alive: () => boolean;
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Retries a probe with exponential backoff and full jitter until it succeeds, the deadline passes
 * or the process dies. Jitter keeps many harnesses from probing in lockstep.
 */
export async function retryWithBackoff(probe: () => Promise<boolean>, options: BackoffOptions): Promise<ReadinessResult> {
  let delay = options.initialDelayMs ?? 20;
  const maxDelay = options.maxDelayMs ?? 500;
  let attempts = 0;
  while (options.alive()) {
    attempts++;
    if (await probe()) return { ready: true, attempts };
    const remaining = options.deadline - Date.now();
    if (remaining <= 0) break;
    await new Promise((resolve) => setTimeout(resolve, Math.min(remaining, delay / 2 + Math.random() * (delay / 2))));
    delay = Math.min(delay * 2, maxDelay);
  }
  return { ready: false, attempts };
}

/** One TCP connect attempt; the connection is closed at once. */
export function tcpAccepts(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Whether some socket on this machine (in the network namespace of process `pid`, when given) is
 * bound to the UDP port. A UDP server cannot be probed without knowing its protocol, but Linux
 * lists bound sockets in /proc/net/udp{,6}.
 */
export function udpBound(port: number, pid?: number): boolean {
  return (procSockets('udp', pid) ?? []).some((socket) => socket.port === port);
}

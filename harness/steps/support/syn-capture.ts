import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { StepContext } from '../context';
import { caseState } from './case-state';
import { StepFailure } from '../../verdict/failure';
import { tcpdumpListening } from '../../capture/tcpdump-ready';

/** One connection attempt: its first SYN, as the kernel timestamped it on the wire. */
export interface Attempt {
  /** ms since the epoch, from the capture (the kernel's time, not when sockspec read it). */
  at: number;
  sourcePort: number;
}

export interface SynCapture {
  readonly attempts: Attempt[];
  /** Called on each new attempt, in order. */
  onAttempt(listener: (attempt: Attempt, count: number) => void): void;
  /**
   * Set by start-client's drop: until this time (ms since the epoch; Infinity while the drop
   * holds) attempts got no answer, so each failed only at the client's attempt timeout. Unset,
   * every attempt was refused at once.
   */
  droppedUntil?: number;
}

const captures = caseState(() => ({ capture: undefined as SynCapture | undefined }));

/** The case's capture, if start-client made one. */
export function synCaptureOf(ctx: StepContext): SynCapture | undefined {
  return captures(ctx.run).capture;
}

/** Records the attempts to host:port, as recordSyns does, as the case's capture: the one synCaptureOf gives the steps. */
export async function captureSyns(ctx: StepContext, host: string, port: number, device = 'lo'): Promise<SynCapture> {
  const capture = await recordSyns(ctx, host, port, 'listener', device);
  captures(ctx.run).capture = capture;
  return capture;
}

/**
 * Records every connection attempt to host:port on `device` (loopback unless the client runs in
 * a namespace of its own) with its time: tcpdump (read-only, immediate mode, one line per packet)
 * sees the SYNs a refusing port answers with a reset, or nothing answers, which no listener can
 * see. A retransmitted SYN repeats its source port and sequence number, so attempts are the SYNs
 * with a new pair. Each attempt is in the transcript under `conn`. The capture ends with the case.
 * Needs root and tcpdump.
 */
export async function recordSyns(ctx: StepContext, host: string, port: number, conn: string, device = 'lo'): Promise<SynCapture> {
  const filter = `tcp and dst host ${host} and dst port ${port} and tcp[tcpflags] & (tcp-syn|tcp-ack) == tcp-syn`;
  const child = spawn('tcpdump', ['-i', device, '-n', '-tt', '-l', '--immediate-mode', filter], { stdio: ['ignore', 'pipe', 'pipe'] });
  ctx.onCleanup(async () => {
    child.kill('SIGKILL');
  });
  const attempts: Attempt[] = [];
  const listeners: Array<(attempt: Attempt, count: number) => void> = [];
  const seen = new Set<string>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    // 1796578824.333332 IP 127.0.0.1.33942 > 127.0.0.1.47123: Flags [S], seq 1675534499, ...
    const match = /^(\d+\.\d+) IP [\d.]+\.(\d+) > .*\bseq (\d+)/.exec(line);
    if (!match) return;
    const sourcePort = Number(match[2]);
    // A retransmission repeats the port and the sequence number; a new attempt may reuse the port.
    const key = `${sourcePort} ${match[3]}`;
    if (seen.has(key)) return;
    seen.add(key);
    const attempt = { at: Number(match[1]) * 1000, sourcePort };
    attempts.push(attempt);
    ctx.run.transcript.record(conn, 'note', `attempt ${attempts.length}: SYN from port ${sourcePort}`);
    for (const listener of listeners) listener(attempt, attempts.length);
  });
  await tcpdumpListening(child).catch((err: Error) => {
    throw new StepFailure(err.message);
  });
  return { attempts, onAttempt: (listener) => listeners.push(listener) };
}

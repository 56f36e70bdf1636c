import type { PrintedLine } from './output-tail';
import type { Endpoint, ServiceName } from './target';

/** A server instance a launcher started, on a port sockspec chose. */
export interface Instance {
  /** Whether it is still running (listening or not). */
  readonly running: boolean;
  /** How it ended (`code 1`, `EADDRINUSE`), once it has. */
  readonly exitDescription: string | undefined;
  /** Its last output lines (a process's stdout and stderr; empty for in-process servers). */
  output(): string[];
  /** Its output lines with their times; absent for in-process servers, which print nothing. */
  printed?(): PrintedLine[];
  /** The TCP ports it listens on now (a process's, read from /proc). */
  listeningPorts(): number[];
  /** A process's: resolves with the time it exited (whoever ended it). */
  readonly ended?: Promise<number>;
  /** Asks it to stop (SIGTERM for a process); forces it after `timeoutMs`. */
  stop(timeoutMs: number): Promise<{ graceful: boolean; exit: string; ms: number }>;
}

/** `endpoint`: where the instance is reached, when not on 127.0.0.1 at the port it was given (a container). */
export type LaunchOutcome = { ready: true; instance: Instance; attempts?: number; endpoint?: Endpoint } | { ready: false; instance: Instance; why: string };

/**
 * Starts server instances on a given port and reports whether each came up: what the lifecycle
 * cases need (a restart on the same port, a start on a port already taken, a second instance).
 */
export interface Launcher {
  readonly description: string;
  /**
   * Whether its instances share this host's network namespace (a process, an in-process server),
   * so that ports held here, TIME_WAIT and double binds apply to them; a container has its own.
   */
  readonly sharesHostNetwork: boolean;
  /**
   * `listening`: resolves once the instance listens on the port (ready) or has failed. `failure`:
   * the port is expected to be unusable, so nothing is probed (something else may answer there);
   * resolves once the instance has exited (not ready) or at the deadline with it still running.
   */
  launch(service: ServiceName, port: number, deadline: number, expect?: 'listening' | 'failure'): Promise<LaunchOutcome>;
  /** Releases what it keeps between launches (a command's certificate files), once its cases are over. */
  dispose?(): Promise<void>;
}

/** An instance that never came up (it could not bind, its container did not start): stopping it does nothing. */
export function endedInstance(why: string, output: string[] = []): Instance {
  return {
    running: false,
    exitDescription: why,
    output: () => output,
    listeningPorts: () => [],
    stop: async () => ({ graceful: true, exit: why, ms: 0 }),
  };
}

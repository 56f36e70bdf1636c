import type { Capacity } from '../vocabulary/capacity';
import type { PrintedLine } from './output-tail';
import type { TargetExit } from './target-exit';

/** A service is what a suite needs from a target: one listening socket speaking one protocol. */
export type ServiceName = 'echo-tcp' | 'echo-udp' | 'tls-echo' | 'tls-echo-mtls' | 'chat';

export type Transport = 'tcp' | 'udp';

/** The transport each service speaks: what a command or address target must offer for it. */
export const SERVICE_TRANSPORT: Record<ServiceName, Transport> = {
  'echo-tcp': 'tcp',
  'echo-udp': 'udp',
  'tls-echo': 'tcp',
  'tls-echo-mtls': 'tcp',
  'chat': 'tcp',
};

/** Services spoken over TLS: their endpoints carry TLS settings, and connect handshakes by default. */
export const TLS_SERVICES: readonly ServiceName[] = ['tls-echo', 'tls-echo-mtls'];

export const SERVICE_NAMES = Object.keys(SERVICE_TRANSPORT) as ServiceName[];

/** Where a case connects to reach one service. */
export interface Endpoint {
  host: string;
  port: number;
  transport: Transport;
  /** For TLS services: how to verify the server, and what it declares it supports. */
  tls?: TlsEndpoint;
  /** The server declares it closes a connection idle (nothing read or written) this many ms (enables the idle cases). */
  idleTimeoutMs?: number;
  /** What the server declares it carries under load (enables the capacity suite's must cases). */
  capacity?: Capacity;
}

export interface TlsEndpoint {
  /** PEM of the CA that signed the server's certificate; the run's own CA when not given. */
  ca?: string;
  /** The host name to send in SNI and check the certificate against (default: localhost). */
  servername?: string;
  /** A second host name the server has its own certificate for (enables the SNI cases). */
  altServername?: string;
  /** The ALPN protocols the server supports, in its order of preference (enables the ALPN cases). */
  alpn?: string[];
}

export type Endpoints = Partial<Record<ServiceName, Endpoint>>;

/**
 * Something sockspec runs suites against. `start()` returns the endpoints of the services asked for;
 * `stop()` always releases everything `start()` took (processes, containers, sockets), and is safe
 * to call twice or after a failed start.
 */
export interface Target {
  /** One line for reports, e.g. `builtin` or `command: python3 server.py {port}`. */
  readonly description: string;
  start(services: readonly ServiceName[]): Promise<Endpoints>;
  stop(): Promise<void>;
  /** What its server printed, each line with its time: shown with the cases that failed then. */
  printed?(): PrintedLine[];
  /**
   * Calls `onExit` once if a server it started ends before stop() (a crash, a kill from outside):
   * the cases after that fail with that reason rather than each with a refused connection.
   * Targets sockspec does not run (an address, the in-process builtin servers) have no such watch.
   */
  watchExit?(onExit: (exit: TargetExit) => void): void;
}

/** A target that could not start: the message says why, `output` holds its last output lines. */
export class TargetError extends Error {
  readonly code = 'ETARGET';
  constructor(message: string, readonly output: string[] = []) {
    super(message);
    this.name = 'TargetError';
  }
}

/** A service is what a suite needs from a target: one listening socket speaking one protocol. */
export type ServiceName = 'echo-tcp' | 'echo-udp';

export type Transport = 'tcp' | 'udp';

/** The transport each service speaks: what a command or address target must offer for it. */
export const SERVICE_TRANSPORT: Record<ServiceName, Transport> = {
  'echo-tcp': 'tcp',
  'echo-udp': 'udp',
};

export const SERVICE_NAMES = Object.keys(SERVICE_TRANSPORT) as ServiceName[];

/** Where a case connects to reach one service. */
export interface Endpoint {
  host: string;
  port: number;
  transport: Transport;
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
  /** True when sockspec starts and stops the server itself (so it can restart it). */
  readonly controlled: boolean;
  start(services: readonly ServiceName[]): Promise<Endpoints>;
  stop(): Promise<void>;
}

/** A target that could not start: the message says why, `output` holds its last output lines. */
export class TargetError extends Error {
  readonly code = 'ETARGET';
  constructor(message: string, readonly output: string[] = []) {
    super(message);
    this.name = 'TargetError';
  }
}

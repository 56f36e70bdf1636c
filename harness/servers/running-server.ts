import type { Transport } from '../targets/target';

/** A server listening in this process; `close()` drops its connections and frees the port. */
export interface RunningServer {
  host: string;
  port: number;
  transport: Transport;
  close(): Promise<void>;
}

export interface ListenOptions {
  /** Defaults to 127.0.0.1; sockspec never binds beyond loopback unless told. */
  host?: string;
  /** 0 (the default) lets the kernel pick a free port. */
  port?: number;
  /** Length of the accept queue (TCP); the kernel caps it at net.core.somaxconn. */
  backlog?: number;
}

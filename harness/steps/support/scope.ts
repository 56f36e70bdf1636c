import { TcpConnection } from '../../net/tcp-connection';
import { UdpConnection } from '../../net/udp-connection';
import { SuiteUsageError } from '../../verdict/failure';

export type Connection = TcpConnection | UdpConnection;

/**
 * How long closing waits for the server to close its side of a connection. A server answers a FIN
 * within milliseconds; one that keeps half-open connections costs this much per case (27 chat
 * cases against half-open-after-fin: 13 s rather than 5 s alone; 33 s with a 1 s wait).
 */
const PEER_CLOSE_WAIT_MS = 250;

/** The connection a step uses when it names none. */
export const DEFAULT_CONN = 'main';

/**
 * One run of a parallel step: the scopes of its clients share it, and what they coordinate through
 * (barriers) belongs to it, so a parallel step run again (in a repeat) starts afresh.
 */
export interface ClientGroup {
  readonly clients: number;
}

/**
 * The named connections one client of a case holds. A `parallel` step gives each of its clients a
 * scope of its own, so `main` in client 7 is not `main` in client 8; the transcript tells them apart
 * by the suffix (`main#7`).
 */
export class ConnectionScope {
  private readonly conns = new Map<string, Connection>();

  constructor(
    readonly client?: number,
    readonly group?: ClientGroup,
  ) {}

  /** The name written in the transcript for a connection of this scope. */
  label(name: string): string {
    return this.client === undefined ? name : `${name}#${this.client}`;
  }

  /** Fails before anything is opened when the name is taken. */
  reserve(name: string): void {
    if (this.conns.has(name)) throw new SuiteUsageError(`connection "${name}" is already open in this case`);
  }

  add(name: string, conn: Connection): void {
    this.reserve(name);
    this.conns.set(name, conn);
  }

  get(name: string = DEFAULT_CONN): Connection {
    const conn = this.conns.get(name);
    if (!conn) {
      const open = [...this.conns.keys()];
      throw new SuiteUsageError(
        `no connection named "${name}" (open: ${open.length ? open.join(', ') : 'none'}); a connect step must come first`,
      );
    }
    return conn;
  }

  tcp(name: string = DEFAULT_CONN): TcpConnection {
    const conn = this.get(name);
    if (!(conn instanceof TcpConnection)) throw new SuiteUsageError(`connection "${name}" is UDP; this step needs TCP`);
    return conn;
  }

  /** Forgets a connection this scope no longer uses, so its name can be opened again. */
  remove(name: string): void {
    this.conns.delete(name);
  }

  /**
   * Closes every connection, each TCP one once the server has closed its side too
   * (TcpConnection.closeAfterPeer), so what comes next (the next case, on the same server) starts
   * with the server done with them. The wait is the step timeout, at most PEER_CLOSE_WAIT_MS.
   */
  async closeAll(stepTimeout: number): Promise<void> {
    const waitMs = Math.min(stepTimeout, PEER_CLOSE_WAIT_MS);
    const conns = [...this.conns.values()];
    this.conns.clear();
    await Promise.all(conns.map((conn) => (conn instanceof TcpConnection ? conn.closeAfterPeer(waitMs) : conn.close())));
  }
}

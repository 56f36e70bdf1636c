import net from 'node:net';
import { ProxyConnection, type ServerClose } from './connection';
import type { Waiter } from '../net/waiter';
import { listenTcp } from '../servers/listen';
import type { RunningServer } from '../servers/running-server';
import type { Direction, Toxic } from './toxic';

/** The seed when none is given: fixed, so that a run without one still repeats. */
export const DEFAULT_SEED = 'sockspec';

export interface FaultProxyOptions {
  /** Names the random streams behind every toxicity decision, jitter and slice size. */
  seed?: string;
}

export interface ToxicStats {
  id: string;
  type: string;
  direction: Direction;
  toxicity: number;
  attributes: Readonly<Record<string, unknown>>;
  /** Connections this toxic was drawn for that it applies to, and that it does not. */
  applied: number;
  skipped: number;
}

export interface FaultProxyStats {
  seed: string;
  connections: { accepted: number; open: number };
  /** Bytes handed to the receiving socket, per direction. */
  bytes: Record<Direction, number>;
  /** Bytes inside the proxy right now (stage queues and socket write buffers), per direction. */
  buffered: Record<Direction, number>;
  toxics: ToxicStats[];
}

/** One connection through the proxy, as a case sees it. */
export interface ProxiedConnection {
  /** When and how the server closed its side (FIN or RST on the upstream socket), once it has. */
  readonly serverClose: ServerClose | undefined;
  /** Woken when serverClose is set. */
  readonly waiter: Waiter;
  /** Nothing passes either way from now on (no data, FIN or reset): the client has vanished. */
  blackhole(): void;
}

/** A TCP proxy on loopback in front of one upstream, with toxics that can change at any time. */
export interface FaultProxy {
  readonly host: string;
  readonly port: number;
  readonly seed: string;
  /** Applies to new connections and, drawn per connection, to the open ones. Returns its id. */
  addToxic(toxic: Toxic): string;
  /** Open connections pass what the toxic holds on and continue without it. */
  removeToxic(id: string): void;
  clearToxics(): void;
  /** The open connection of the client whose own (local) port is `clientPort`. */
  connectionFrom(clientPort: number): ProxiedConnection | undefined;
  stats(): FaultProxyStats;
  /** Destroys every connection and the listener; resolves once all their sockets are closed. */
  close(): Promise<void>;
}

interface ActiveToxic {
  toxic: Toxic;
  stats: ToxicStats;
}

/**
 * Starts a proxy on 127.0.0.1 (kernel-chosen port). Each accepted connection opens its own
 * connection to `upstream`; a refused upstream resets the client, as a dead server would.
 */
export async function startFaultProxy(upstream: { host: string; port: number }, options: FaultProxyOptions = {}): Promise<FaultProxy> {
  // Only the address is kept: an Endpoint passed here carries fields net.connect must not see.
  const proxy = new ToxicProxy({ host: upstream.host, port: upstream.port }, options.seed ?? DEFAULT_SEED);
  await proxy.listen();
  return proxy;
}

class ToxicProxy implements FaultProxy {
  private readonly toxics = new Map<string, ActiveToxic>();
  private readonly connections = new Set<ProxyConnection>();
  private readonly bytes: Record<Direction, number> = { upstream: 0, downstream: 0 };
  private accepted = 0;
  private server: RunningServer | undefined;

  constructor(
    private readonly upstream: { host: string; port: number },
    readonly seed: string,
  ) {}

  get host(): string {
    return this.listening.host;
  }

  get port(): number {
    return this.listening.port;
  }

  async listen(): Promise<void> {
    const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (client) => this.accept(client));
    this.server = await listenTcp(server);
  }

  addToxic(toxic: Toxic): string {
    const id = this.idFor(toxic);
    const stats: ToxicStats = { id, type: toxic.type, direction: toxic.direction, toxicity: toxic.toxicity, attributes: toxic.attributes, applied: 0, skipped: 0 };
    const active = { toxic, stats };
    this.toxics.set(id, active);
    for (const connection of this.connections) this.draw(connection, id, active);
    return id;
  }

  removeToxic(id: string): void {
    if (!this.toxics.delete(id)) throw new Error(`no toxic ${id} on proxy ${this.host}:${this.port}`);
    for (const connection of this.connections) connection.remove(id);
  }

  clearToxics(): void {
    for (const id of [...this.toxics.keys()]) this.removeToxic(id);
  }

  connectionFrom(clientPort: number): ProxiedConnection | undefined {
    return [...this.connections].find((connection) => connection.clientPort === clientPort);
  }

  stats(): FaultProxyStats {
    const buffered = (direction: Direction) => [...this.connections].reduce((sum, c) => sum + c.buffered(direction), 0);
    return {
      seed: this.seed,
      connections: { accepted: this.accepted, open: this.connections.size },
      bytes: { ...this.bytes },
      buffered: { upstream: buffered('upstream'), downstream: buffered('downstream') },
      toxics: [...this.toxics.values()].map(({ stats }) => ({ ...stats })),
    };
  }

  async close(): Promise<void> {
    const closing = [...this.connections].map((connection) => connection.destroy());
    await Promise.all([...closing, this.server?.close()]);
  }

  private get listening(): RunningServer {
    if (!this.server) throw new Error('the fault proxy is not listening yet');
    return this.server;
  }

  private accept(client: net.Socket): void {
    const upstream = net.connect({ ...this.upstream, allowHalfOpen: true, noDelay: true });
    const connection = new ProxyConnection(client, upstream, {
      seed: this.seed,
      index: this.accepted++,
      delivered: (direction, bytes) => (this.bytes[direction] += bytes),
      gone: (gone) => this.connections.delete(gone),
    });
    this.connections.add(connection);
    for (const [id, active] of this.toxics) this.draw(connection, id, active);
  }

  private draw(connection: ProxyConnection, id: string, active: ActiveToxic): void {
    if (connection.apply(id, active.toxic)) active.stats.applied++;
    else active.stats.skipped++;
  }

  /** Toxiproxy's default name, `<type>_<direction>`, numbered when taken; a given name must be free. */
  private idFor(toxic: Toxic): string {
    if (toxic.name !== undefined) {
      if (this.toxics.has(toxic.name)) throw new Error(`toxic ${toxic.name} already exists on this proxy`);
      return toxic.name;
    }
    const base = `${toxic.type}_${toxic.direction}`;
    let id = base;
    for (let n = 2; this.toxics.has(id); n++) id = `${base}_${n}`;
    return id;
  }
}

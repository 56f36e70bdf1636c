import net from 'node:net';
import { Link, type LinkHooks } from './link';
import { seededRandom, type Random } from './random';
import type { Direction, Toxic } from './toxic';
import { Waiter } from '../net/waiter';

/** How long a connection a toxic closed waits for its peers' FINs before it is destroyed. */
const SHUT_GRACE_MS = 2000;

export interface ConnectionOptions {
  seed: string;
  /** Accept order on the proxy, from 0: with the seed, it names this connection's random streams. */
  index: number;
  delivered(direction: Direction, bytes: number): void;
  gone(connection: ProxyConnection): void;
}

/** How the server ended its side of the proxied connection, seen on the proxy's upstream socket. */
export interface ServerClose {
  how: 'fin' | 'rst';
  /** performance.now() when the proxy saw it. */
  at: number;
}

/**
 * One client connection and the upstream connection opened for it, with a Link per direction.
 * FINs travel through the links, so half-close works both ways; an error or an abrupt close on
 * either socket resets the other, so an RST is never turned into a clean close.
 */
export class ProxyConnection {
  private readonly links: Record<Direction, Link>;
  private readonly decide: Random;
  private readonly closed: Promise<unknown>;
  private state: 'open' | 'closing' | 'shut' | 'blackholed' | 'gone' = 'open';
  private grace: NodeJS.Timeout | undefined;
  /** Set once the server has sent FIN or RST on the upstream connection. */
  serverClose: ServerClose | undefined;
  /** Woken when serverClose is set. */
  readonly waiter = new Waiter();
  /** The client's own port: how a harness connection finds its proxied connection. */
  readonly clientPort: number | undefined;

  constructor(
    private readonly client: net.Socket,
    private readonly upstream: net.Socket,
    private readonly options: ConnectionOptions,
  ) {
    this.decide = seededRandom(options.seed, options.index);
    this.clientPort = client.remotePort;
    const hooks: LinkHooks = {
      delivered: options.delivered,
      closeConnection: (link) => this.closeAfter(link),
      reset: () => this.reset(),
    };
    this.links = { upstream: new Link('upstream', client, upstream, hooks), downstream: new Link('downstream', upstream, client, hooks) };
    // The proxy counts a connection until both its sockets have closed, so close() can wait for them.
    this.closed = Promise.all([closeOf(client), closeOf(upstream)]).then(() => options.gone(this));
    for (const socket of [client, upstream]) {
      socket.on('error', () => this.reset());
      socket.on('close', () => this.socketClosed(socket));
    }
    upstream.once('end', () => this.serverClosed('fin'));
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNRESET' || err.code === 'EPIPE') this.serverClosed('rst');
    });
  }

  /**
   * Decides, from this connection's seeded stream, whether the toxic applies here (Toxiproxy:
   * `rand.Float32() < toxicity`, so 0 never and 1 always), and if so adds its stage.
   */
  apply(id: string, toxic: Toxic): boolean {
    const applies = this.decide() < toxic.toxicity;
    if (applies && this.state === 'open') this.links[toxic.direction].add(id, toxic, seededRandom(this.options.seed, this.options.index, id));
    return applies;
  }

  remove(id: string): void {
    this.links.upstream.remove(id);
    this.links.downstream.remove(id);
  }

  /**
   * The client vanished: from now on nothing passes either way, not data, not a FIN, not a reset,
   * as when its host dies or a path drops every packet. The proxy still reads both sides (to
   * discard), so the server's sends never back up and its FIN or RST is seen (serverClose).
   */
  blackhole(): void {
    if (this.state !== 'open') return;
    this.state = 'blackholed';
    this.links.upstream.stop();
    this.links.downstream.stop();
  }

  buffered(direction: Direction): number {
    return this.links[direction].buffered;
  }

  /** The proxy is closing: drop both sockets now; resolves once both have closed. */
  destroy(): Promise<unknown> {
    this.release();
    this.client.destroy();
    this.upstream.destroy();
    return this.closed;
  }

  private reset(): void {
    if (this.state === 'gone' || this.state === 'blackholed') return;
    this.release();
    for (const socket of [this.client, this.upstream]) if (!socket.destroyed) socket.resetAndDestroy();
  }

  /** A toxic ended one direction: once its FIN is out, close the whole connection. */
  private closeAfter(link: Link): void {
    if (this.state !== 'open') return;
    this.state = 'closing';
    void link.finished().then(() => this.shut());
  }

  /** FIN both sockets, read only to discard (closing with unread bytes would send an RST). */
  private shut(): void {
    if (this.state !== 'closing') return;
    this.state = 'shut';
    this.links.upstream.stop();
    this.links.downstream.stop();
    for (const socket of [this.client, this.upstream]) if (!socket.destroyed) socket.end();
    this.grace = setTimeout(() => void this.destroy(), SHUT_GRACE_MS);
  }

  private serverClosed(how: ServerClose['how']): void {
    this.serverClose ??= { how, at: performance.now() };
    this.waiter.notify();
  }

  private socketClosed(socket: net.Socket): void {
    const other = socket === this.client ? this.upstream : this.client;
    if (other.destroyed) return this.release();
    const cleanly = socket.readableEnded && socket.writableFinished;
    if (!cleanly && this.state !== 'shut') this.reset();
  }

  private release(): void {
    if (this.state === 'gone') return;
    this.state = 'gone';
    clearTimeout(this.grace);
    this.links.upstream.stop();
    this.links.downstream.stop();
  }
}

/** Unlike events.once, never rejects: an 'error' before 'close' is the usual way sockets end here. */
function closeOf(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

import net from 'node:net';
import { Link, type LinkHooks } from './link';
import { seededRandom, type Random } from './random';
import type { Direction, Toxic } from './toxic';

/** How long a connection a toxic closed waits for its peers' FINs before it is destroyed. */
const SHUT_GRACE_MS = 2000;

export interface ConnectionOptions {
  seed: string;
  /** Accept order on the proxy, from 0: with the seed, it names this connection's random streams. */
  index: number;
  delivered(direction: Direction, bytes: number): void;
  gone(connection: ProxyConnection): void;
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
  private state: 'open' | 'closing' | 'shut' | 'gone' = 'open';
  private grace: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: net.Socket,
    private readonly upstream: net.Socket,
    private readonly options: ConnectionOptions,
  ) {
    this.decide = seededRandom(options.seed, options.index);
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
    if (this.state === 'gone') return;
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

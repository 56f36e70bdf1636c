import net from 'node:net';
import type { Endpoint } from '../targets/target';
import type { Payload } from './payload';
import { type Transcript } from './transcript';
import { Waiter, sleep } from './waiter';
import type { TlsSession } from './tls-session';
import { SendQueue } from './send-queue';
import { drainedOrClosed } from './drained';

/** How the peer ended the connection, as seen from this side. */
export type PeerClose = 'fin' | 'rst';

export interface SendOptions {
  /** Bytes per write; 0 means as large as the socket takes (64 KiB pieces). */
  chunk: number;
  /** Pause between writes, in ms. */
  delay: number;
  /** At most this many bytes written and not yet echoed back; 0 means no limit. */
  window: number;
}

const WRITE_PIECE = 64 * 1024;
/** Far enough never to matter: a case's own deadline destroys the socket long before. */
const NO_DEADLINE = 24 * 3600 * 1000;
/**
 * The most received bytes a connection holds unread (docs/limits.md): at this much it stops reading,
 * so a server's flood backs up in TCP instead of in the harness's memory, until a step consumes
 * some. A step that must see more than this unread at once (a line, a text to match) fails.
 */
export const RECEIVE_WINDOW = 1024 * 1024;

/**
 * A TCP client that records every event into the transcript and keeps received bytes until a step
 * consumes them. Sends are queued and written in the background, in order, with the socket's
 * backpressure respected, so a case can send 256 MiB while another step reads the echo.
 */
export class TcpConnection {
  readonly waiter = new Waiter();
  /** Set once: how the peer closed, if it did. */
  peerClose: PeerClose | undefined;
  /** A socket error other than a reset, if one happened. */
  error: Error | undefined;
  bytesReceived = 0;
  bytesWritten = 0;
  /** True once this side has closed or reset the socket. */
  closedHere = false;
  /** performance.now() of the connect, then of the last write: the peer's last activity is later. */
  lastSent = performance.now();
  /** performance.now() of the last read: the peer's last activity was earlier. */
  lastReceived: number | undefined;
  /** performance.now() when the peer's FIN or RST arrived. */
  peerClosedAt: number | undefined;

  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private readonly sends = new SendQueue();
  private readingStopped = false;
  private discarding = false;

  /**
   * Wraps a connected socket (plain, or TLS after its handshake). `abort` sends RST; a TLS socket
   * needs its own, since its TCP socket sits below it, and gives that TCP socket as `transport`:
   * how the peer closed is read from it.
   */
  constructor(
    readonly name: string,
    private readonly socket: net.Socket,
    private readonly transcript: Transcript,
    private readonly abort: () => void = () => socket.resetAndDestroy(),
    /** What the TLS handshake settled, for TLS connections. */
    readonly tls?: TlsSession,
    private readonly transport?: net.Socket,
  ) {
    // Once this side has closed, what still arrives is not the case's evidence any more.
    socket.on('data', (chunk: Buffer) => {
      if (this.closedHere) return;
      this.bytesReceived += chunk.length;
      this.lastReceived = performance.now();
      transcript.data(name, 'received', chunk);
      if (!this.discarding) {
        this.chunks.push(chunk);
        this.buffered += chunk.length;
        if (this.full) socket.pause();
      }
      this.waiter.notify();
    });
    if (transport) this.watchTransport(socket, transport);
    else socket.on('end', () => this.peerClosed('fin'));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (this.closedHere) return;
      if (isReset(err)) this.peerClosed('rst');
      else if (!this.error) {
        this.error = err;
        transcript.record(name, 'error', err.code ?? err.message);
      }
      this.waiter.notify();
    });
    socket.on('close', () => this.waiter.notify());
  }

  static async connect(name: string, endpoint: Endpoint, transcript: Transcript, deadline: number): Promise<TcpConnection> {
    return new TcpConnection(name, await openTcp(name, endpoint, transcript, deadline), transcript);
  }


  /** This side's port: how the fault proxy's record of the connection is found. */
  get localPort(): number | undefined {
    return this.socket.localPort;
  }

  get available(): number {
    return this.buffered;
  }

  /** True while RECEIVE_WINDOW bytes are unread: nothing more arrives until a step consumes some. */
  get full(): boolean {
    return this.buffered >= RECEIVE_WINDOW;
  }

  get ended(): boolean {
    // Under TLS the secure socket may be gone while its TCP connection still waits for the peer's close.
    return this.peerClose !== undefined || this.error !== undefined || (this.socket.destroyed && (this.transport?.destroyed ?? true));
  }

  /** Queues a payload; returns at once. Its bytes are also owed back by an echo. */
  send(payload: Payload, options: SendOptions): void {
    this.sends.push([payload], () => this.write(payload, options));
  }

  takePendingEcho(): Payload[] {
    return this.sends.takePendingEcho();
  }

  flushed(): Promise<void> {
    return this.sends.flushed();
  }

  /**
   * Waits until every queued send is written, or until the peer has taken none of them for
   * `quietMs` (its window is closed: it stopped reading). A pause that must hold a server back for
   * a while then starts when it does, however slowly this side's writes went out.
   */
  async sendsSettled(quietMs: number, deadline: number, signal?: AbortSignal): Promise<'written' | 'held back' | 'deadline'> {
    let written = false;
    const flushed = this.flushed().then(() => {
      written = true;
    });
    const since = performance.now();
    for (;;) {
      if (written) return 'written';
      const quietFor = performance.now() - Math.max(this.lastSent, since);
      if (quietFor >= quietMs) {
        this.transcript.record(this.name, 'note', `sends held back: the peer took none for ${Math.round(quietFor)} ms`);
        return 'held back';
      }
      if (Date.now() >= deadline || signal?.aborted) {
        this.transcript.record(this.name, 'note', 'sends still going out at the deadline; going on');
        return 'deadline';
      }
      await Promise.race([flushed, sleep(Math.min(quietMs - quietFor, Math.max(0, deadline - Date.now())) + 1, signal)]);
    }
  }

  /** Takes up to `n` received bytes. */
  consume(n: number): Buffer {
    const parts: Buffer[] = [];
    let taken = 0;
    while (taken < n && this.chunks.length > 0) {
      const head = this.chunks[0];
      const want = n - taken;
      if (head.length <= want) {
        parts.push(head);
        this.chunks.shift();
        taken += head.length;
      } else {
        parts.push(head.subarray(0, want));
        this.chunks[0] = head.subarray(want);
        taken += want;
      }
    }
    this.buffered -= taken;
    if (this.socket.isPaused() && !this.readingStopped && !this.full) this.socket.resume();
    return parts.length === 1 ? parts[0] : Buffer.concat(parts, taken);
  }

  /** How the connection ended, for failure messages; undefined while it is open. */
  endDescription(): string | undefined {
    if (this.peerClose) return `the peer closed the connection (${this.peerClose === 'fin' ? 'FIN' : 'RST'})`;
    if (this.error) return `the connection failed (${(this.error as NodeJS.ErrnoException).code ?? this.error.message})`;
    if (this.ended) return 'the connection was closed';
    return undefined;
  }

  /** Stops reading from the socket, as a client that never reads: the peer's sends back up. */
  stopReading(): void {
    this.readingStopped = true;
    this.socket.pause();
    this.transcript.record(this.name, 'note', 'stopped reading');
  }

  /**
   * From now on what arrives is recorded but not kept, and a full buffer no longer holds reading
   * back; what is held unread is dropped too. For a step that only waits for the peer's close: a
   * reset that ends a connection with megabytes still arriving is seen only once they are read.
   */
  discardReceived(): void {
    this.discarding = true;
    this.chunks.length = 0;
    this.buffered = 0;
    if (this.socket.isPaused() && !this.readingStopped) this.socket.resume();
  }

  /** Reads again after stopReading, up to what the unconsumed bytes leave room for. */
  resumeReading(): void {
    this.readingStopped = false;
    if (!this.full) this.socket.resume();
    this.transcript.record(this.name, 'note', 'reading again');
  }

  /** The received bytes not yet consumed, without consuming them. */
  peek(): Buffer {
    return Buffer.concat(this.chunks, this.buffered);
  }

  async halfClose(): Promise<void> {
    await this.flushed();
    if (this.socket.destroyed) return;
    this.socket.end();
    this.transcript.record(this.name, 'fin-sent');
  }

  async close(): Promise<void> {
    await this.flushed();
    this.closeNow();
  }

  /** Closes without waiting for queued sends. */
  closeNow(): void {
    if (this.closedHere) return;
    this.closedHere = true;
    const wasOpen = !this.socket.destroyed;
    this.socket.destroy();
    if (wasOpen) this.transcript.record(this.name, 'closed');
  }

  /**
   * Ends the connection when its case ends so that the server has seen it end before the next case
   * starts, as the server's state must not carry over (a chat name still taken, a member still
   * listed). Closing at once races the server: a server that still writes to the closed socket
   * gets RST back, and a RST in CLOSE_WAIT discards the FIN it had not read yet, so it notices the
   * end only at a later write, after the next case may have begun. So: FIN, then read and discard
   * whatever still comes until the server has closed its side too (FIN or RST), or `waitMs`
   * passed (a server may keep half-open connections), then destroy. Queued sends are dropped.
   */
  async closeAfterPeer(waitMs: number): Promise<void> {
    if (this.closedHere) return;
    this.closedHere = true;
    const { socket } = this;
    if (socket.destroyed) return;
    this.transcript.record(this.name, 'closed');
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const timer = setTimeout(() => socket.destroy(), waitMs);
    this.chunks.length = 0;
    this.buffered = 0;
    socket.resume();
    socket.end();
    await closed;
    clearTimeout(timer);
  }

  /** Aborts the connection: the kernel sends RST instead of FIN. */
  reset(): void {
    if (this.closedHere) return;
    this.closedHere = true;
    this.abort();
    this.transcript.record(this.name, 'rst-sent');
  }

  /** For a TLS connection, whose TCP socket is below the TLS socket: the peer sent RST. */
  /**
   * Under TLS the secure socket ends at the peer's close_notify, which may come well before the TCP
   * connection closes, and with a RST as well as a FIN: how it closed is the TCP socket's to say. A
   * FIN counts once the secure socket has ended too, so every byte before it was delivered; a RST
   * at once, since it discards whatever was still unread.
   */
  private watchTransport(secure: net.Socket, transport: net.Socket): void {
    let secureEnded = false;
    let finReceived = false;
    const finEnded = () => {
      if (secureEnded && finReceived) this.peerClosed('fin');
    };
    secure.on('end', () => {
      secureEnded = true;
      finEnded();
    });
    transport.on('end', () => {
      finReceived = true;
      finEnded();
    });
    transport.on('error', (err: NodeJS.ErrnoException) => {
      if (isReset(err)) this.peerClosed('rst');
    });
    transport.on('close', () => this.waiter.notify());
  }

  private peerClosed(how: PeerClose): void {
    if (this.peerClose || this.closedHere) return;
    this.peerClose = how;
    this.peerClosedAt = performance.now();
    this.transcript.record(this.name, how === 'fin' ? 'fin-received' : 'rst-received');
    this.waiter.notify();
  }

  private async write(payload: Payload, { chunk, delay, window }: SendOptions): Promise<void> {
    const stream = payload.open();
    const piece = Math.min(chunk > 0 ? chunk : WRITE_PIECE, window > 0 ? window : Infinity);
    for (let bytes = stream.read(piece); bytes.length > 0; bytes = stream.read(piece)) {
      if (window > 0) {
        const size = bytes.length;
        await this.waiter.until(() => this.bytesWritten + size - this.bytesReceived <= window || this.ended, Date.now() + NO_DEADLINE);
      }
      if (this.socket.destroyed || this.socket.writableEnded) return;
      this.transcript.data(this.name, 'sent', bytes);
      this.bytesWritten += bytes.length;
      this.lastSent = performance.now();
      if (!this.socket.write(bytes)) await drainedOrClosed(this.socket);
      if (delay > 0) await sleep(delay);
    }
  }
}

/** A TCP connection, or the reason it could not be made (recorded in the transcript either way). */
export function openTcp(name: string, endpoint: Endpoint, transcript: Transcript, deadline: number): Promise<net.Socket> {
  transcript.record(name, 'connect', `${endpoint.host}:${endpoint.port}`);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: endpoint.host, port: endpoint.port, allowHalfOpen: true, noDelay: true });
    const wait = Math.max(0, deadline - Date.now());
    const timer = setTimeout(() => fail(new Error(`no answer within ${wait} ms (handshake not completed)`)), wait);
    const fail = (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      transcript.record(name, 'connect-failed', err.code ?? err.message);
      reject(err);
    };
    socket.once('error', fail);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', fail);
      transcript.record(name, 'connected', `from local port ${socket.localPort}`);
      resolve(socket);
    });
  });
}

/** A reset by the peer: ECONNRESET when reading, EPIPE when writing after it. */
function isReset(err: NodeJS.ErrnoException): boolean {
  return err.code === 'ECONNRESET' || err.code === 'EPIPE';
}

import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import type { Endpoint } from '../targets/target';
import { fixed, type Payload } from './payload';
import type { Transcript } from './transcript';
import { Waiter, sleep } from './waiter';
import { SendQueue } from './send-queue';

export interface Datagram {
  data: Buffer;
  from: string;
}

/**
 * The most a UDP socket holds unread (docs/limits.md): past either bound, datagrams are dropped and
 * counted, and a step that misses one fails for it, as sockspec's loss, never the server's.
 */
export const DATAGRAM_WINDOW = { bytes: 4 * 1024 * 1024, datagrams: 65_536 };
/** Linux caps it at net.core.rmem_max (4 MiB here); asking for more is harmless. */
const RECEIVE_BUFFER = 4 * 1024 * 1024;

/**
 * A UDP client socket bound to an ephemeral loopback port. Each chunk of a send is one datagram;
 * received datagrams keep their boundaries and their source address, so a step can tell a reply
 * from the service port from one sent from elsewhere.
 */
export class UdpConnection {
  readonly waiter = new Waiter();
  /** Received and not yet taken; read it, take() them. */
  readonly datagrams: Datagram[] = [];
  error: Error | undefined;
  /** Every datagram that arrived, kept or not. */
  arrived = 0;
  /** Datagrams dropped because DATAGRAM_WINDOW was full when they arrived. */
  overflowed = 0;
  private unreadBytes = 0;
  private readonly sends = new SendQueue();
  private closed = false;

  private constructor(
    readonly name: string,
    readonly endpoint: Endpoint,
    private readonly socket: dgram.Socket,
    private readonly transcript: Transcript,
  ) {
    socket.on('message', (data, rinfo) => {
      const from = `${rinfo.address}:${rinfo.port}`;
      this.arrived++;
      if (this.datagrams.length < DATAGRAM_WINDOW.datagrams && this.unreadBytes + data.length <= DATAGRAM_WINDOW.bytes) {
        this.datagrams.push({ data, from });
        this.unreadBytes += data.length;
      } else this.overflowed++;
      transcript.data(name, 'received', data, from === this.serviceAddress ? undefined : `from ${from}`);
      this.waiter.notify();
    });
    socket.on('error', (err) => {
      this.error = err;
      transcript.record(name, 'error', (err as NodeJS.ErrnoException).code ?? err.message);
      this.waiter.notify();
    });
  }

  static async open(name: string, given: Endpoint, transcript: Transcript): Promise<UdpConnection> {
    // Replies are matched by their source address, so a host name is resolved once, here.
    const endpoint = net.isIP(given.host) ? given : { ...given, host: (await lookup(given.host)).address };
    const type = net.isIPv6(endpoint.host) ? 'udp6' : 'udp4';
    // A large receive buffer, so a burst's loss is the server's, not this client's.
    const socket = dgram.createSocket({ type, recvBufferSize: RECEIVE_BUFFER });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', (err) => {
        socket.close();
        reject(err);
      });
      socket.bind(0, localAddress(endpoint.host, type), () => {
        socket.removeAllListeners('error');
        resolve();
      });
    });
    transcript.record(name, 'connect', `udp ${endpoint.host}:${endpoint.port} from local port ${socket.address().port}`);
    return new UdpConnection(name, endpoint, socket, transcript);
  }

  /** Takes up to `n` of the datagrams received and not yet taken, oldest first. */
  take(n: number): Datagram[] {
    const taken = this.datagrams.splice(0, n);
    for (const datagram of taken) this.unreadBytes -= datagram.data.length;
    return taken;
  }

  /** Why datagrams may be missing that the server did send, once some were dropped unread. */
  overflowDescription(): string | undefined {
    if (this.overflowed === 0) return undefined;
    const { bytes, datagrams } = DATAGRAM_WINDOW;
    return `sockspec dropped ${this.overflowed} datagram(s) that arrived while ${datagrams} datagrams or ${bytes / 1024 / 1024} MiB were unread on this socket (the server sent more than the steps read)`;
  }

  get serviceAddress(): string {
    return `${this.endpoint.host}:${this.endpoint.port}`;
  }

  /** Queues a payload: one datagram per chunk (the whole payload when chunk is 0). */
  send(payload: Payload, chunk: number, delay: number): void {
    this.sends.push(splitIntoDatagrams(payload, chunk), () => this.write(payload, chunk, delay));
  }

  takePendingEcho(): Payload[] {
    return this.sends.takePendingEcho();
  }

  flushed(): Promise<void> {
    return this.sends.flushed();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
    this.transcript.record(this.name, 'closed');
  }

  private async write(payload: Payload, chunk: number, delay: number): Promise<void> {
    const stream = payload.open();
    const size = chunk > 0 ? chunk : Math.max(payload.length, 1);
    let bytes = stream.read(size);
    do {
      if (this.closed) return;
      const datagram = bytes;
      this.transcript.data(this.name, 'sent', datagram);
      await new Promise<void>((resolve) =>
        this.socket.send(datagram, this.endpoint.port, this.endpoint.host, (err) => {
          if (err && !this.error) {
            this.error = err;
            this.transcript.record(this.name, 'error', `send: ${(err as NodeJS.ErrnoException).code ?? err.message}`);
          }
          resolve();
        }),
      );
      if (delay > 0) await sleep(delay);
      bytes = stream.read(size);
    } while (bytes.length > 0);
  }
}

/** The datagrams a payload becomes when sent in chunks: what an echo owes back, one by one. */
function splitIntoDatagrams(payload: Payload, chunk: number): Payload[] {
  if (chunk <= 0 || payload.length <= chunk) return [payload];
  const stream = payload.open();
  const parts: Payload[] = [];
  for (let bytes = stream.read(chunk); bytes.length > 0; bytes = stream.read(chunk)) {
    const copy = Buffer.from(bytes);
    parts.push(fixed(copy, `datagram ${parts.length + 1} of ${payload.label}`));
  }
  return parts;
}

/** Loopback for a loopback server; otherwise any address, so the kernel picks the one that routes there. */
function localAddress(host: string, type: 'udp4' | 'udp6'): string {
  const loopback = host === 'localhost' || host === '::1' || host.startsWith('127.');
  if (type === 'udp6') return loopback ? '::1' : '::';
  return loopback ? '127.0.0.1' : '0.0.0.0';
}

import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import type { Endpoint } from '../targets/target';
import { fixed, type Payload } from '../steps/payload';
import type { Transcript } from './transcript';
import { Waiter, sleep } from './waiter';
import { SendQueue } from './send-queue';

export interface Datagram {
  data: Buffer;
  from: string;
}

const DATAGRAM_LIMIT = 100_000;
/** Linux caps it at net.core.rmem_max (4 MiB here); asking for more is harmless. */
const RECEIVE_BUFFER = 4 * 1024 * 1024;

/**
 * A UDP client socket bound to an ephemeral loopback port. Each chunk of a send is one datagram;
 * received datagrams keep their boundaries and their source address, so a step can tell a reply
 * from the service port from one sent from elsewhere.
 */
export class UdpConnection {
  readonly waiter = new Waiter();
  readonly datagrams: Datagram[] = [];
  error: Error | undefined;
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
      if (this.datagrams.length < DATAGRAM_LIMIT) this.datagrams.push({ data, from });
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

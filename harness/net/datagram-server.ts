import dgram from 'node:dgram';
import { once } from 'node:events';
import type { Transcript } from './transcript';
import { DATAGRAM_WINDOW } from './udp-connection';
import { Waiter } from './waiter';

/** A datagram the server side received: its bytes, where from, and when (performance.now()). */
export interface ReceivedDatagram {
  /** 1 for the first datagram this socket received. */
  readonly number: number;
  readonly data: Buffer;
  readonly address: string;
  readonly port: number;
  readonly at: number;
}

/**
 * A UDP socket of a client suite's server side, bound on a loopback address: every datagram it
 * receives is recorded on the transcript as an event of its own, with its time and source, and
 * queued for the steps to take in order. Bounded like a UdpConnection (DATAGRAM_WINDOW): past it,
 * datagrams are counted and dropped.
 */
export class DatagramServer {
  readonly waiter = new Waiter();
  /** Received and not yet taken by a step, oldest first. */
  readonly queue: ReceivedDatagram[] = [];
  /** Every datagram received, queued or not. */
  received = 0;
  overflowed = 0;
  private closed = false;

  private constructor(
    readonly name: string,
    private readonly socket: dgram.Socket,
    private readonly transcript: Transcript,
  ) {
    socket.on('message', (data, rinfo) => {
      this.received++;
      const datagram = { number: this.received, data, address: rinfo.address, port: rinfo.port, at: performance.now() };
      // The number keeps consecutive datagrams apart on the transcript: each retransmission is an event with its time.
      transcript.data(name, 'received', data, `datagram ${datagram.number} from ${rinfo.address}:${rinfo.port}`);
      if (this.queue.length < DATAGRAM_WINDOW.datagrams) this.queue.push(datagram);
      else this.overflowed++;
      this.waiter.notify();
    });
    socket.on('error', (err) => transcript.record(name, 'error', (err as NodeJS.ErrnoException).code ?? err.message));
  }

  /** Binds `host`:`port` (0: a free port). */
  static async open(name: string, host: string, port: number, transcript: Transcript): Promise<DatagramServer> {
    const socket = dgram.createSocket('udp4');
    socket.bind(port, host);
    await once(socket, 'listening');
    return new DatagramServer(name, socket, transcript);
  }

  get port(): number {
    return this.socket.address().port;
  }

  get address(): string {
    const { address, port } = this.socket.address();
    return `${address}:${port}`;
  }

  /** Takes the oldest datagram no step took yet. */
  take(): ReceivedDatagram | undefined {
    return this.queue.shift();
  }

  /** Sends one datagram to `address`:`port`, recorded on the transcript with its time. */
  async send(data: Buffer, address: string, port: number, what: string): Promise<void> {
    this.transcript.data(this.name, 'sent', data, `${what} to ${address}:${port}`);
    await new Promise<void>((resolve, reject) => this.socket.send(data, port, address, (err) => (err ? reject(err) : resolve())));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.close();
  }
}

import { Duplex } from 'node:stream';
import type net from 'node:net';

/**
 * Sits between a TCP socket and node:tls, passing every byte both ways unchanged and showing each
 * received chunk to `inspect` first: how sockspec sees what node:tls hides (record types, the
 * ClientHello). Subclasses say what they look for, and how the TCP socket ends with them.
 */
export abstract class SocketTap extends Duplex {
  constructor(protected readonly raw: net.Socket) {
    super({ allowHalfOpen: true });
    raw.on('data', (chunk: Buffer) => {
      this.inspect(chunk);
      if (!this.push(chunk)) raw.pause();
    });
    raw.on('end', () => this.push(null));
    // node:tls does not pass a stream's errors on to the TLS socket: a reset becomes the end of
    // the stream here, and the connection learns it was a reset from the TCP socket itself.
    raw.on('error', () => this.push(null));
    raw.on('close', () => this.destroy());
  }

  /** Sees each chunk the peer sent, before node:tls does. */
  protected abstract inspect(chunk: Buffer): void;

  _read(): void {
    this.raw.resume();
  }

  _write(chunk: Buffer, _encoding: BufferEncoding, done: (err?: Error | null) => void): void {
    // A failed write shows up as the TCP socket's error (above).
    this.raw.write(chunk, () => done());
  }

  _final(done: (err?: Error | null) => void): void {
    this.raw.end(done);
  }
}

import { Duplex } from 'node:stream';
import type net from 'node:net';

/** TLS record content types (RFC 8446 §5.1). */
export const RECORD_TYPE = { changeCipherSpec: 20, alert: 21, handshake: 22, applicationData: 23 } as const;

/**
 * Sits between a TCP socket and node:tls and reports the content type of each TLS record the
 * peer sends. node:tls hides records, but some rules are about them: in TLS 1.2 a close_notify is
 * an alert record (type 21) before the FIN, visible on the wire even though it is encrypted.
 */
export class RecordTap extends Duplex {
  private header = Buffer.alloc(0);
  private remaining = 0;

  constructor(
    private readonly raw: net.Socket,
    private readonly onRecord: (type: number) => void,
  ) {
    super({ allowHalfOpen: true });
    raw.on('data', (chunk: Buffer) => {
      this.scan(chunk);
      if (!this.push(chunk)) raw.pause();
    });
    raw.on('end', () => this.push(null));
    // node:tls does not pass a stream's errors on to the TLS socket: a reset becomes the end of
    // the stream here, and the connection learns it was a reset from the TCP socket itself.
    raw.on('error', () => this.push(null));
    raw.on('close', () => this.destroy());
  }

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

  _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    if (!this.raw.destroyed) this.raw.destroy();
    done(err);
  }

  /** Aborts the TCP connection with RST. */
  reset(): void {
    this.raw.resetAndDestroy();
  }

  /** Walks record boundaries: 5-byte header (type, version, length), then the body. */
  private scan(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.remaining > 0) {
        const skip = Math.min(this.remaining, chunk.length - offset);
        this.remaining -= skip;
        offset += skip;
        continue;
      }
      const need = 5 - this.header.length;
      this.header = Buffer.concat([this.header, chunk.subarray(offset, offset + need)]);
      offset += Math.min(need, chunk.length - offset);
      if (this.header.length < 5) return;
      this.onRecord(this.header[0]);
      this.remaining = this.header.readUInt16BE(3);
      this.header = Buffer.alloc(0);
    }
  }
}

import type { Alert } from './tls-alerts';
import type net from 'node:net';
import { RECORD_TYPE } from './record-types';
import { SocketTap } from './socket-tap';
import { parseServerHello } from './server-hello';
import { isTls13Suite } from './tls13-record-keys';
import { type OpenedRecord, Tls13Reader } from './tls13-reader';


/** A record the server sent: its content type, and for a TLS 1.3 alert what it says. */
export interface SeenRecord {
  /** The content type; for TLS 1.3 the real one, from inside the protection. */
  type: number;
  /** TLS 1.3 only: the record could not be opened, so its real type is unknown. */
  unopened?: boolean;
  alert?: Alert;
}

const HEADER_LENGTH = 5;
/** How long the TCP connection under an ended TLS session waits for the peer's FIN or RST. */
const PEER_CLOSE_LINGER_MS = 500;
/** The longest record body allowed (RFC 8446 §5.2: 2^14 + 256); longer ones are not read. */
const MAX_BODY = 2 ** 14 + 256;

/**
 * Sits between a TCP socket and node:tls and reports the content type of each TLS record the
 * peer sends. node:tls hides records, but some rules are about them: a close_notify is an alert
 * record before the FIN. In TLS 1.2 the record type is visible on the wire even though the record
 * is encrypted; TLS 1.3 hides it inside the protection, so for a TLS 1.3 suite (read from the
 * ServerHello) the tap opens the server's records with the secrets node:tls logs (see keylog()).
 */
export class RecordTap extends SocketTap {
  private header = Buffer.alloc(0);
  private remaining = 0;
  /** The body of the current record, when it is needed (ServerHello, TLS 1.3 records). */
  private body?: Buffer[];
  private serverHelloSeen = false;
  private tls13?: Tls13Reader;

  constructor(
    raw: net.Socket,
    private readonly onRecord: (record: SeenRecord) => void,
  ) {
    super(raw);
  }

  /** Takes a line of the TLS socket's 'keylog' event: the secrets that open TLS 1.3 records. */
  keylog(line: Buffer): void {
    this.tls13?.keylog(line.toString('latin1'));
  }

  /**
   * node:tls destroys its socket, and so this tap, as soon as both sides have ended the TLS session.
   * When this side has sent its FIN already and the peer's close_notify came before its own TCP close,
   * the TCP socket stays a while to read that close, FIN or RST, which is part of the verdict.
   */
  _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    const { raw } = this;
    if (raw.destroyed) return done(err);
    if (!raw.writableEnded || raw.readableEnded) {
      raw.destroy();
      return done(err);
    }
    const linger = setTimeout(() => raw.destroy(), PEER_CLOSE_LINGER_MS);
    raw.once('close', () => clearTimeout(linger));
    raw.on('end', () => raw.destroy());
    raw.on('error', () => raw.destroy());
    raw.resume();
    done(err);
  }

  /** Aborts the TCP connection with RST. */
  reset(): void {
    this.raw.resetAndDestroy();
  }

  /** Walks record boundaries: 5-byte header (type, version, length), then the body. */
  protected inspect(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, chunk.length - offset);
        this.body?.push(chunk.subarray(offset, offset + take));
        this.remaining -= take;
        offset += take;
        if (this.remaining === 0) this.recordDone();
        continue;
      }
      const need = HEADER_LENGTH - this.header.length;
      this.header = Buffer.concat([this.header, chunk.subarray(offset, offset + need)]);
      offset += Math.min(need, chunk.length - offset);
      if (this.header.length < HEADER_LENGTH) return;
      this.remaining = this.header.readUInt16BE(3);
      this.body = this.wantsBody() ? [] : undefined;
      if (this.remaining === 0) this.recordDone();
    }
  }

  private wantsBody(): boolean {
    const type = this.header[0];
    if (this.remaining > MAX_BODY) return false;
    return (type === RECORD_TYPE.handshake && !this.serverHelloSeen) || (type === RECORD_TYPE.applicationData && this.tls13 !== undefined);
  }

  private recordDone(): void {
    const header = this.header;
    const body = this.body && Buffer.concat(this.body);
    this.header = Buffer.alloc(0);
    this.body = undefined;
    if (header[0] === RECORD_TYPE.handshake && body && !this.serverHelloSeen) this.readServerHello(body);
    if (header[0] === RECORD_TYPE.applicationData && body && this.tls13) return this.tls13.record(header, body);
    this.onRecord({ type: header[0] });
  }

  private readServerHello(body: Buffer): void {
    const hello = parseServerHello(body);
    if (!hello || hello.retryRequest) return;
    this.serverHelloSeen = true;
    if (isTls13Suite(hello.suite)) this.tls13 = new Tls13Reader(hello.suite, (record) => this.onRecord(seen(record)));
  }
}

function seen(record: OpenedRecord): SeenRecord {
  return record.type === undefined ? { type: RECORD_TYPE.applicationData, unopened: true } : { type: record.type, alert: record.alert };
}

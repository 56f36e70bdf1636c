import { RECORD_TYPE } from './record-types';
import type { Alert } from './tls-alerts';
import { TrafficKey } from './tls13-record-keys';

/** What the reader learnt of one protected record of the server's. */
export interface OpenedRecord {
  /** The real content type (RFC 8446 §5.1), or undefined when no key known opened the record. */
  type?: number;
  /** An alert's level and description, when the record is one. */
  alert?: Alert;
}

/** The keylog labels of the server's two traffic secrets (NSS key log format, as node:tls emits it). */
const HANDSHAKE_SECRET = 'SERVER_HANDSHAKE_TRAFFIC_SECRET';
const APPLICATION_SECRET = 'SERVER_TRAFFIC_SECRET_0';
/** Records wait here only until the keys are logged, i.e. during the handshake: a flight or two. */
const MAX_PENDING_BYTES = 256 * 1024;

interface Pending {
  header: Buffer;
  body: Buffer;
}

/**
 * Learns the real content type of each record a TLS 1.3 server sends, which the record header
 * hides (outer type 23 for everything protected). It takes the server's traffic secrets from the
 * client's key log and opens each record as it arrives, keeping none: the handshake key opens
 * records until its tag check fails, and from then on the application key (the server sends every
 * handshake-key record before any application-key one). Records wait only while their key is not
 * logged yet: the tap sees them before node:tls has read them. A KeyUpdate (whose next secret
 * node:tls does not log) leaves the records after it unopened, and says so.
 */
export class Tls13Reader {
  private handshakeKey?: TrafficKey;
  private applicationKey?: TrafficKey;
  private phase: 'handshake' | 'application' = 'handshake';
  private pending: Pending[] = [];
  private pendingBytes = 0;

  constructor(
    private readonly suite: number,
    private readonly onRecord: (record: OpenedRecord) => void,
  ) {}

  /** Takes one key log line; the server's traffic secrets are the ones that matter. */
  keylog(line: string): void {
    const [label, , secretHex] = line.trim().split(' ');
    if (!secretHex) return;
    if (label === HANDSHAKE_SECRET) this.handshakeKey = new TrafficKey(this.suite, Buffer.from(secretHex, 'hex'));
    else if (label === APPLICATION_SECRET) this.applicationKey = new TrafficKey(this.suite, Buffer.from(secretHex, 'hex'));
    else return;
    this.drain();
  }

  /** Takes one protected record (outer type 23): its 5-byte header and its body. */
  record(header: Buffer, body: Buffer): void {
    this.pending.push({ header, body });
    this.pendingBytes += body.length;
    while (this.pendingBytes > MAX_PENDING_BYTES) this.report(this.pending.shift()!, undefined);
    this.drain();
  }

  private drain(): void {
    while (this.pending.length > 0) {
      const next = this.pending[0];
      if (this.phase === 'handshake') {
        if (!this.handshakeKey) return;
        const opened = this.handshakeKey.open(next.header, next.body);
        if (opened) {
          this.report(this.pending.shift()!, opened);
          continue;
        }
        // Not the handshake key's: the handshake is over, if the application key is known yet.
        if (!this.applicationKey) return;
        this.phase = 'application';
      }
      if (!this.applicationKey) return;
      this.report(this.pending.shift()!, this.applicationKey.open(next.header, next.body));
    }
  }

  private report(record: Pending, opened: { type: number; content: Buffer } | undefined): void {
    this.pendingBytes -= record.body.length;
    if (!opened) return this.onRecord({});
    const alert = opened.type === RECORD_TYPE.alert && opened.content.length >= 2 ? { level: opened.content[0], description: opened.content[1] } : undefined;
    this.onRecord({ type: opened.type, alert });
  }
}

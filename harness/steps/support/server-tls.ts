import net from 'node:net';
import tls from 'node:tls';
import { logKey } from '../../capture/key-log';
import { SocketTap } from '../../net/socket-tap';
import { Type, type Static } from '@sinclair/typebox';
import type { CertificateName, CertificateSet } from '../../certs/certificate-set';
import { SERVER_NAME } from '../../certs/certificate-set';
import { TcpConnection } from '../../net/tcp-connection';
import type { Transcript } from '../../net/transcript';
import { RECORD_TYPE } from '../../net/record-types';

/**
 * What the server side of a TLS client case can offer: a certificate chain (leaf first) from the
 * run's set, each good or bad in one known way. The client trusts only the set's root (`ca`).
 */
export const SERVED_CHAINS = {
  /** Leaf for localhost (and 127.0.0.1, ::1) signed by the intermediate, sent with the intermediate. */
  'valid-chain': ['chained', 'intermediate'],
  /** Leaf whose only names are 127.0.0.1 and ::1, sent with the intermediate: for a client given an IP address. */
  'ip-address': ['ipOnly', 'intermediate'],
  /** The valid chain's leaf alone: the client cannot link it to the root (it carries no AIA to fetch the intermediate from). */
  'missing-intermediate': ['chained'],
  expired: ['expired'],
  'not-yet-valid': ['notYetValid'],
  /** Signed by the root, for wrong.example only. */
  'wrong-host': ['wrongHost'],
  /** localhost names, signed by its own key. */
  'self-signed': ['selfSigned'],
  /** localhost names, signed by a root the client was not given, sent with that root as servers often do. */
  'untrusted-root': ['otherCaServer', 'otherCa'],
  /** localhost names, signed by the root, with an RSA-1024 key. */
  'weak-key': ['weakKey'],
} as const satisfies Record<string, readonly CertificateName[]>;

export type ServedChain = keyof typeof SERVED_CHAINS;

const VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
/** OpenSSL 3 signs TLS 1.0 and 1.1 handshakes with SHA-1 (or MD5+SHA-1), which only security level 0 allows. */
const LEGACY_CIPHERS = 'DEFAULT@SECLEVEL=0';

/** start-client's `tls:` option: the case's server side speaks TLS. */
export const ServerTlsOptions = Type.Object(
  {
    certificate: Type.Union(Object.keys(SERVED_CHAINS).map((name) => Type.Literal(name as ServedChain)), { description: 'the certificate chain the server side offers' }),
    servername: Type.Optional(Type.String({ minLength: 1, description: `what {servername} holds: the name (or IP address) the client must verify, and send as SNI if it is a name (default ${SERVER_NAME})` })),
    clientCertificate: Type.Optional(Type.Literal(true, { description: 'the server side asks for a client certificate and requires one the root signed ({cert} and {key} are one)' })),
    version: Type.Optional(
      Type.Union(VERSIONS.map((v) => Type.Literal(v)), { description: 'the only TLS version the server side speaks (default TLSv1.2 and TLSv1.3); below TLSv1.2 at OpenSSL security level 0, the only level at which OpenSSL 3 can still sign such a handshake' }),
    ),
  },
  { additionalProperties: false, description: 'the server side speaks TLS, offering this certificate chain; the client is given {ca} and {servername}' },
);
export type ServerTlsSpec = Static<typeof ServerTlsOptions>;

/** How a server-side handshake ended. */
export type HandshakeOutcome =
  | { kind: 'completed'; protocol: string }
  /** The client sent an alert: `detail` is what OpenSSL calls it (e.g. "unknown ca"). */
  | { kind: 'client-alert'; detail: string }
  /** The client closed or reset the connection without an alert. */
  | { kind: 'client-closed'; detail: string }
  /** The server side itself gave up (e.g. no version in common): its certificate never went out. */
  | { kind: 'server-refused'; detail: string };

/** What the server side saw of one connection's handshake. */
export interface ServerHandshake {
  /** A ClientHello arrived: the client started a TLS handshake. */
  hello: boolean;
  /** The SNI host name the ClientHello carried, false when it carried none. */
  servername: string | false;
  outcome?: HandshakeOutcome;
  /** Resolves once the outcome is known. */
  readonly settled: Promise<HandshakeOutcome>;
}

const handshakes = new WeakMap<TcpConnection, ServerHandshake>();

/** The handshake of a connection the server side accepted over TLS, or undefined for a plain one. */
export function serverHandshakeOf(conn: TcpConnection): ServerHandshake | undefined {
  return handshakes.get(conn);
}

/** How the server side runs its handshakes: the context, and whether it requires a client certificate. */
export interface ServerTls {
  context: tls.SecureContext;
  requireClientCertificate: boolean;
}

export function serverTls(spec: ServerTlsSpec, set: CertificateSet): ServerTls {
  return { context: serverContext(spec, set), requireClientCertificate: spec.clientCertificate ?? false };
}

/**
 * The secure context for a spec: its chain (leaf, then what follows it), the root client
 * certificates must lead to, and, below TLS 1.2, the one legacy version.
 */
function serverContext(spec: ServerTlsSpec, set: CertificateSet): tls.SecureContext {
  const names = SERVED_CHAINS[spec.certificate];
  const legacy = spec.version === 'TLSv1' || spec.version === 'TLSv1.1';
  return tls.createSecureContext({
    cert: names.map((name) => set[name].cert).join(''),
    key: set[names[0]].key,
    ca: spec.clientCertificate ? set.ca.cert : undefined,
    minVersion: spec.version ?? 'TLSv1.2',
    maxVersion: spec.version ?? 'TLSv1.3',
    ciphers: legacy ? LEGACY_CIPHERS : undefined,
  });
}

/**
 * Runs the server end of a TLS handshake on an accepted socket and returns the connection steps
 * work on (sends are held until the handshake is done). Everything the handshake shows is
 * recorded: the ClientHello and its SNI, then how it ended (done, with the protocol; an alert the
 * client sent; the client closing; the server side giving up).
 */
export function acceptTls(label: string, raw: net.Socket, server: ServerTls, transcript: Transcript): TcpConnection {
  const { context } = server;
  let hello = false;
  let sni: string | false = false;
  const tap = new ClientHelloTap(raw, () => {
    hello = true;
    transcript.record(label, 'note', 'TLS ClientHello received');
  });
  const socket = new tls.TLSSocket(tap as unknown as net.Socket, {
    isServer: true,
    secureContext: context,
    requestCert: server.requireClientCertificate,
    rejectUnauthorized: server.requireClientCertificate,
    // Called with the SNI of the ClientHello, before anything can fail: it is what the client sent.
    SNICallback: (name, done) => {
      sni = name;
      done(null, context);
    },
  });
  socket.on('keylog', (line: Buffer) => logKey(transcript, line));
  let settle: (outcome: HandshakeOutcome) => void = () => undefined;
  const settled = new Promise<HandshakeOutcome>((resolve) => (settle = resolve));
  const handshake: ServerHandshake = {
    get hello() {
      return hello;
    },
    get servername() {
      return sni;
    },
    settled,
  };
  const end = (outcome: HandshakeOutcome) => {
    if (handshake.outcome) return;
    handshake.outcome = outcome;
    // A hello the server side refused may not have been read as far as its SNI.
    const sniRead = hello && outcome.kind !== 'server-refused';
    transcript.record(label, 'note', `TLS handshake ${describeOutcome(outcome)}${sniRead ? `; SNI ${sni === false ? 'none' : sni}` : ''}`);
    settle(outcome);
  };
  socket.once('secure', () => end({ kind: 'completed', protocol: socket.getProtocol() ?? 'unknown' }));
  socket.on('error', (err: NodeJS.ErrnoException) => end(failure(err)));
  // With the server side half-open, a client that gives up with a FIN leaves the TCP socket open:
  // its end, once node:tls has read what came before it, is the outcome.
  socket.once('end', () => end({ kind: 'client-closed', detail: 'it closed the connection (FIN)' }));
  socket.once('close', () => end({ kind: 'client-closed', detail: 'the connection closed' }));
  const conn = new TcpConnection(label, socket, transcript, () => raw.resetAndDestroy(), undefined, raw);
  handshakes.set(conn, handshake);
  return conn;
}

export function describeOutcome(outcome: HandshakeOutcome): string {
  switch (outcome.kind) {
    case 'completed':
      return `done (${outcome.protocol})`;
    case 'client-alert':
      return `ended by the client's alert: ${outcome.detail}`;
    case 'client-closed':
      return `ended by the client: ${outcome.detail}`;
    case 'server-refused':
      return `refused by the server side: ${outcome.detail}`;
  }
}

/** OpenSSL names a received alert `..._ALERT_...` ("sslv3 alert certificate expired"); anything else of its own is this side's. */
function failure(err: NodeJS.ErrnoException): HandshakeOutcome {
  const code = err.code ?? '';
  const alert = /alert ([a-z ]+)/i.exec(err.message);
  if (code.includes('_ALERT_') && alert) return { kind: 'client-alert', detail: alert[1].trim() };
  if (code.startsWith('ERR_SSL_')) return { kind: 'server-refused', detail: code.replace(/^ERR_SSL_/, '').toLowerCase().replace(/_/g, ' ') };
  return { kind: 'client-closed', detail: code || err.message };
}

/** A TLS record header (5 bytes) and the handshake message type that follows it. */
const HELLO_PREFIX = 6;
const CLIENT_HELLO = 1;

/**
 * Passes a TCP socket's bytes to node:tls unchanged and says when the first record is a
 * handshake record holding a ClientHello: the proof that the client started a TLS handshake,
 * which node:tls does not give when the handshake then fails.
 */
class ClientHelloTap extends SocketTap {
  private head = Buffer.alloc(0);

  constructor(
    raw: net.Socket,
    private readonly onHello: () => void,
  ) {
    super(raw);
  }

  /**
   * node:tls destroys the tap when its socket is closed: what it wrote may still be queued on the
   * TCP socket (a close right after a send), so that socket sends it, then its FIN, and closes.
   */
  _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.raw.destroySoon();
    done(err);
  }

  protected inspect(chunk: Buffer): void {
    if (this.head.length >= HELLO_PREFIX) return;
    this.head = Buffer.concat([this.head, chunk]).subarray(0, HELLO_PREFIX);
    if (this.head.length === HELLO_PREFIX && this.head[0] === RECORD_TYPE.handshake && this.head[5] === CLIENT_HELLO) this.onHello();
  }
}

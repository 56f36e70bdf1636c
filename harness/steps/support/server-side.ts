import net from 'node:net';
import type { ServerTls } from './server-tls';
import { once } from 'node:events';
import type { CaseRun, StepContext } from '../context';
import { caseState } from './case-state';
import { TcpConnection } from '../../net/tcp-connection';
import type { ClientProcess } from '../../targets/client-process';
import { SuiteUsageError } from '../../verdict/failure';
import { fixed, type Payload } from '../../net/payload';
import { DatagramServer, type ReceivedDatagram } from '../../net/datagram-server';
import { SERVICE_TRANSPORT } from '../../targets/target';
import type { RetransmitPolicy } from './retransmit';

/** The transcript's name for the listener's events (attempts, accepts) and for the client process's. */
export const LISTENER = 'listener';
export const CLIENT = 'client';

/**
 * The server side of one case of a client suite: a listener on 127.0.0.1 (or serverSide's host;
 * a free port, made before the client starts), the connections the client made that no `accept`
 * step took yet, the connections accepted (whose sends the client owes on stdout), and the client process. For a UDP
 * service the listener is a UDP socket on that port instead, and the connection fields stay empty.
 * Everything is released when the case ends.
 */
export interface ServerSide {
  readonly host: string;
  readonly port: number;
  /** Connections the client made, in order, not yet taken by an `accept` step. */
  readonly waiting: net.Socket[];
  /** Connections `accept` took, in order. */
  readonly accepted: TcpConnection[];
  /** Wakes an `accept` waiting for the next connection. */
  readonly arrivals: EventTarget;
  client?: ClientProcess;
  /** Set by start-client's `tls:` option: every connection accepted runs the server end of a TLS handshake with it. */
  tls?: ServerTls;
  /** What start-client gave the client on stdin: what the server side must receive (`expect: { stdin: true }`). */
  stdin: Payload;
  /** For a UDP service: the socket on host:port the client sends its datagrams to. */
  datagrams?: DatagramServer;
  /** For a UDP service: the retransmission policy start-client gave the client. */
  retransmit?: RetransmitPolicy;
  /**
   * The transmissions of the request a step took last, first to latest (receive-datagram starts it,
   * expect-retransmissions adds to it): send-datagram answers the latest.
   */
  request?: ReceivedDatagram[];
  /** The datagrams the server side sent from its port, in order: the replies the client owes on stdout. */
  readonly replies: Payload[];
  /** Listens on the port again, after a start without listening: a server that comes back (TCP). */
  reopen(): Promise<void>;
}

const serverSides = caseState(() => ({ started: undefined as Promise<ServerSide> | undefined }));

const LOOPBACK = '127.0.0.1';

/**
 * An address of loopback's 127.0.0.0/8 of the case's own, at random (never 127.0.0.x), for a
 * server side that refuses: nothing listens on its port, so another process running at the same
 * time (a parallel suite, a concurrent proof) may be handed the same free port and aim its own
 * client at it, whose SYNs a capture by port alone would count as this client's attempts. Both
 * must also draw the same one of 16 million addresses to meet.
 */
export function caseLoopback(): string {
  const byte = (low: number) => low + Math.floor(Math.random() * (255 - low));
  return `127.${byte(1)}.${byte(0)}.${byte(1)}`;
}

/**
 * The case's server side, started on first use; its release is registered with the case. Not
 * `listening`: the port is a free one nothing listens on (the listener is closed at once), for a
 * client whose connection must be refused. `host` is 127.0.0.1 unless the case refuses the client's
 * attempts (then caseLoopback's) or the client runs in a network namespace of the case's own (then
 * the host end of its veth pair, an address of this run).
 */
export function serverSide(ctx: StepContext, listening = true, host = LOOPBACK): Promise<ServerSide> {
  const state = serverSides(ctx.run);
  state.started ??= listen(ctx, listening, host);
  return state.started;
}

/** The server side if a step already started it: for steps that only make sense after start-client. */
export function startedServerSide(run: CaseRun): Promise<ServerSide> {
  const started = serverSides(run).started;
  if (!started) throw new SuiteUsageError('no client was started in this case: a start-client step must come first');
  return started;
}

async function listen(ctx: StepContext, listening: boolean, host: string): Promise<ServerSide> {
  const transcript = ctx.run.transcript;
  const side: ServerSide = {
    host,
    port: 0,
    waiting: [],
    accepted: [],
    arrivals: new EventTarget(),
    replies: [],
    stdin: fixed(Buffer.alloc(0), 'nothing'),
    reopen: () => Promise.reject(new SuiteUsageError('only a TCP server side refuses and then listens')),
  };
  const open = SERVICE_TRANSPORT[ctx.run.service] === 'udp' ? openUdp : openTcp;
  // Registered before the opening is awaited, so that a case cut short still releases it.
  const opening = open(side, transcript);
  ctx.onCleanup(async () => {
    await side.client?.kill();
    await opening.then(({ close }) => close(), () => undefined);
  });
  const { port, close, reopen } = await opening;
  if (reopen) side.reopen = reopen;
  if (!listening) close();
  transcript.record(LISTENER, 'note', `${listening ? 'listening on' : 'nothing listens on'} ${side.host}:${port}${side.datagrams ? ' (udp)' : ''}`);
  return Object.assign(side, { port });
}

interface Opened {
  port: number;
  /** Stops listening and drops what no step took; called again at the end of the case. */
  close(): void;
  /** Listens on the same port again, after close(). */
  reopen?(): Promise<void>;
}

async function openTcp(side: ServerSide, transcript: CaseRun['transcript']): Promise<Opened> {
  // Half-open: the client's half-close must not close the server side's writing too (Node's default).
  const server = net.createServer({ allowHalfOpen: true });
  let attempts = 0;
  server.on('connection', (socket) => {
    attempts++;
    // Every attempt is evidence, with its time, whether or not a step accepts it.
    transcript.record(LISTENER, 'connected', `attempt ${attempts} from ${socket.remoteAddress}:${socket.remotePort}`);
    socket.on('error', () => undefined); // a connection no step took: its fate is not the case's evidence
    side.waiting.push(socket);
    side.arrivals.dispatchEvent(new Event('arrival'));
  });
  server.listen(0, side.host);
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    close: () => {
      for (const socket of side.waiting) socket.destroy();
      if (server.listening) server.close();
    },
    reopen: async () => {
      server.listen(port, side.host);
      await once(server, 'listening');
      transcript.record(LISTENER, 'note', `listening on ${side.host}:${port} from now on`);
    },
  };
}

async function openUdp(side: ServerSide, transcript: CaseRun['transcript']): Promise<Opened> {
  const socket = await DatagramServer.open(LISTENER, side.host, 0, transcript);
  side.datagrams = socket;
  return { port: socket.port, close: () => socket.close() };
}

/** Takes the next connection the client made, waiting for one until `deadline`; undefined if none came. */
export async function nextConnection(side: ServerSide, deadline: number, signal: AbortSignal): Promise<net.Socket | undefined> {
  while (side.waiting.length === 0) {
    const remaining = deadline - Date.now();
    if (remaining <= 0 || signal.aborted) return undefined;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        side.arrivals.removeEventListener('arrival', done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, remaining);
      side.arrivals.addEventListener('arrival', done);
      signal.addEventListener('abort', done);
    });
  }
  return side.waiting.shift();
}

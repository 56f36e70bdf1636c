import type { CaseRun, StepContext } from '../context';
import type { StepWhere } from '../define';
import { caseState } from './case-state';
import { startedServerSide, type ServerSide } from './server-side';
import { DatagramServer, type ReceivedDatagram } from '../../net/datagram-server';
import { SERVICE_TRANSPORT } from '../../targets/target';
import { SuiteUsageError } from '../../verdict/failure';

/** The server side of a UDP client suite: the case's ServerSide with its socket. */
export type DatagramSide = ServerSide & { datagrams: DatagramServer };

/** The load-time check of every step of the UDP server side. */
export function checkDatagramStep(step: string, where: StepWhere, report: (problem: string) => void): void {
  if (where.peer !== 'client' || SERVICE_TRANSPORT[where.service] !== 'udp') report(`${step} is for client suites of a UDP service (peer: client)`);
}

export async function startedDatagramSide(run: CaseRun): Promise<DatagramSide> {
  const side = await startedServerSide(run);
  if (!side.datagrams) throw new SuiteUsageError('this step needs the UDP server side of a UDP client suite');
  return side as DatagramSide;
}

/** The transmissions of the request a step took last, first to latest; a usage error before any. */
export function currentRequest(side: ServerSide, step: string): ReceivedDatagram[] {
  if (!side.request?.length) throw new SuiteUsageError(`${step} needs a datagram from the client: a receive-datagram step must come first`);
  return side.request;
}

/**
 * The next datagram no step took, waiting for it until `deadline` (Date.now() time); undefined when
 * none came by then, or when the client exited first (it will send no more).
 */
export async function nextDatagram(side: DatagramSide, deadline: number, signal: AbortSignal): Promise<ReceivedDatagram | undefined> {
  const socket = side.datagrams;
  void side.client?.exited.then(() => socket.waiter.notify());
  await socket.waiter.until(() => socket.queue.length > 0 || clientExited(side), deadline, signal);
  return socket.take();
}

export function clientExited(side: ServerSide): boolean {
  return side.client?.exitDescription !== undefined;
}

/** When the client exited, on the clock of ReceivedDatagram.at (performance.now()), once it has. */
export async function clientExitTime(side: ServerSide): Promise<number | undefined> {
  if (!side.client || !clientExited(side)) return undefined;
  const exit = await side.client.exited;
  return exit.at - (Date.now() - performance.now());
}

/** Where send-datagram sends from: the service's own socket, or one the client never sent to. */
export type DatagramSource = 'service' | 'other-port' | 'other-address';

/** Another loopback address than the service's: Linux routes all of 127.0.0.0/8 to the loopback. */
const OTHER_ADDRESS = '127.0.0.2';

const otherSockets = caseState(() => new Map<DatagramSource, Promise<DatagramServer>>());

/**
 * The socket to send from: the service's, or a second one made on first use and closed with the
 * case: on another port of the service's address, or on the service's port of another address.
 */
export function sourceSocket(ctx: StepContext, side: DatagramSide, source: DatagramSource): Promise<DatagramServer> {
  if (source === 'service') return Promise.resolve(side.datagrams);
  const sockets = otherSockets(ctx.run);
  let socket = sockets.get(source);
  if (!socket) {
    const [host, port] = source === 'other-port' ? [side.host, 0] : [OTHER_ADDRESS, side.port];
    socket = DatagramServer.open(source, host, port, ctx.run.transcript);
    sockets.set(source, socket);
    const opened = socket;
    ctx.onCleanup(async () => void (await opened.then((s) => s.close(), () => undefined)));
  }
  return socket;
}

/** Whether a datagram is another transmission of the request `first`: the same bytes from the same address and port. */
export function sameRequest(datagram: ReceivedDatagram, first: ReceivedDatagram): boolean {
  return datagram.data.equals(first.data) && datagram.address === first.address && datagram.port === first.port;
}

/** A datagram for a message: its size and its first bytes as text. */
export function describeDatagram(datagram: ReceivedDatagram): string {
  const head = datagram.data.subarray(0, 24).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
  return `datagram ${datagram.number} (${datagram.data.length} B, "${head}${datagram.data.length > 24 ? '...' : ''}")`;
}

import net from 'node:net';
import { listenTcp } from './listen';
import type { ListenOptions, RunningServer } from './running-server';

export interface EchoTcpOptions extends ListenOptions {
  /** Closes a connection once nothing was read or written for this many ms; never when absent. */
  idleTimeoutMs?: number;
}

/**
 * TCP Echo (RFC 862): every byte back, in order. pipe() gives backpressure for free (a client that
 * does not read stops the server reading from it) and ends the write side once the client's FIN
 * has been read and everything before it echoed, so the client sees all data, then FIN.
 */
export function startEchoTcp(options: EchoTcpOptions = {}): Promise<RunningServer> {
  const { idleTimeoutMs } = options;
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    // A client may reset at any time; that ends this connection only.
    socket.on('error', () => socket.destroy());
    // destroy, not end: a vanished peer never sends its FIN, and end() would keep the socket
    // half-open for ever. An idle connection holds no unread bytes, so the kernel sends FIN.
    if (idleTimeoutMs) socket.setTimeout(idleTimeoutMs, () => socket.destroy());
    socket.pipe(socket);
  });
  return listenTcp(server, options);
}

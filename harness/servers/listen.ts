import net from 'node:net';
import type { ListenOptions, RunningServer } from './running-server';

export const LOOPBACK = '127.0.0.1';

/**
 * Starts a TCP (or TLS) server on loopback and returns a handle whose close() resets open
 * connections first: `server.close()` alone waits for every client to leave.
 */
export function listenTcp(server: net.Server, options: ListenOptions = {}): Promise<RunningServer> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const host = options.host ?? LOOPBACK;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: options.port ?? 0, backlog: options.backlog ?? 511 }, () => {
      server.off('error', reject);
      const { port } = server.address() as net.AddressInfo;
      resolve({
        host,
        port,
        transport: 'tcp',
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

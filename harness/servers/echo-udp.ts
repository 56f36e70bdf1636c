import dgram from 'node:dgram';
import net from 'node:net';
import { LOOPBACK } from './listen';
import type { ListenOptions, RunningServer } from './running-server';

/** UDP Echo (RFC 862): each datagram sent back whole, as one datagram, to the address it came from. */
export function startEchoUdp(options: ListenOptions = {}): Promise<RunningServer> {
  const host = options.host ?? LOOPBACK;
  // Room for bursts: the kernel's default buffer drops a few hundred small datagrams at once.
  const socket = dgram.createSocket({ type: net.isIPv6(host) ? 'udp6' : 'udp4', recvBufferSize: 4 * 1024 * 1024 });
  socket.on('message', (data, from) => socket.send(data, from.port, from.address));
  // An ICMP error for one client (e.g. port unreachable) must not stop the service.
  socket.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options.port ?? 0, host, () => {
      socket.off('error', reject);
      resolve({
        host,
        port: socket.address().port,
        transport: 'udp',
        close: () => new Promise<void>((done) => socket.close(() => done())),
      });
    });
  });
}

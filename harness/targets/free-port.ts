import dgram from 'node:dgram';
import getPort from 'get-port';
import type { Transport } from './target';

/** A port free on loopback now (get-port checks TCP only, so UDP binds port 0 and reads it back). */
export async function freePort(transport: Transport, host = '127.0.0.1'): Promise<number> {
  if (transport === 'tcp') return getPort({ host });
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, host, () => resolve());
  });
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

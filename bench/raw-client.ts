import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';

/**
 * The comparison peer: a plain Node client doing the same integrity check as the harness (send N
 * bytes, read the echo, compare SHA-256 of both streams), written as tightly as one would by hand.
 * With `window`, at most that many bytes are in flight unechoed. With `verify` false it only counts
 * bytes, so that the server, not the client's hashing, bounds the rate. Returns elapsed ms.
 */
export function rawEchoRoundTrip(port: number, bytes: number, window = Infinity, verify = true): Promise<number> {
  const block = randomBytes(1024 * 1024);
  const sent = createHash('sha256');
  const received = createHash('sha256');
  const started = performance.now();
  let written = 0;
  let got = 0;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, noDelay: true }, () => {
      const pump = () => {
        while (written < bytes) {
          if (written - got >= window) return void socket.once('data', pump);
          const chunk = block.subarray(0, Math.min(block.length, bytes - written, window));
          written += chunk.length;
          if (verify) sent.update(chunk);
          if (!socket.write(chunk)) return void socket.once('drain', pump);
        }
        socket.end();
      };
      pump();
    });
    socket.on('data', (chunk: Buffer) => {
      got += chunk.length;
      if (verify) received.update(chunk);
    });
    socket.on('end', () => {
      socket.destroy();
      if (got !== bytes || sent.digest('hex') !== received.digest('hex')) reject(new Error(`raw client: echo differs (${got} of ${bytes} bytes)`));
      else resolve(performance.now() - started);
    });
    socket.on('error', reject);
  });
}

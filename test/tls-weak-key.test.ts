import { X509Certificate } from 'node:crypto';
import type net from 'node:net';
import tls from 'node:tls';
import { createCertificateSet } from '../harness/certs/certificate-set';

/**
 * The weak-rsa-key mutant is proof for RFC 9325 §4.5 only if its certificate is wrong in its key
 * size alone: trusted, for the right name, and still accepted by a default client.
 */
describe('the weakKey certificate', () => {
  test('has a 1024-bit RSA key, names localhost, is signed by the CA, and a default Node client accepts it', async () => {
    const set = await createCertificateSet();
    const cert = new X509Certificate(set.weakKey.cert);
    expect(cert.publicKey.asymmetricKeyDetails?.modulusLength).toBe(1024);
    expect(new X509Certificate(set.server.cert).publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(cert.checkHost('localhost')).toBe('localhost');
    expect(cert.verify(new X509Certificate(set.ca.cert).publicKey)).toBe(true);

    const server = tls.createServer({ ...set.weakKey }, (socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as net.AddressInfo;
      const authorized = await new Promise<boolean>((resolve, reject) => {
        const socket = tls.connect({ port, host: '127.0.0.1', servername: 'localhost', ca: set.ca.cert }, () => {
          resolve(socket.authorized);
          socket.destroy();
        });
        socket.on('error', reject);
      });
      expect(authorized).toBe(true);
    } finally {
      server.close();
    }
  });
});

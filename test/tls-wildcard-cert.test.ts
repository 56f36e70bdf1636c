import { X509Certificate } from 'node:crypto';
import type net from 'node:net';
import tls from 'node:tls';
import { createCertificateSet } from '../harness/certs/certificate-set';

/**
 * The wildcard-only-cert mutant is proof for the server-identity rule only if its certificate is
 * wrong in its name alone: trusted, valid, and refused for the name check, not the chain. (Node and
 * OpenSSL match no name against a wildcard over a single label, so no name passes here; the mistake
 * is the same as *.example.com for example.com.)
 */
describe('the wildcard certificate', () => {
  const connect = (port: number, servername: string, ca: string) =>
    new Promise<string>((resolve) => {
      const socket = tls.connect({ port, host: '127.0.0.1', servername, ca }, () => {
        resolve('accepted');
        socket.destroy();
      });
      socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    });

  test('names *.localhost alone, is signed by the CA, and a Node client refuses it for localhost by its name only', async () => {
    const set = await createCertificateSet();
    const cert = new X509Certificate(set.wildcard.cert);
    expect(cert.subjectAltName).toBe('DNS:*.localhost');
    expect(cert.verify(new X509Certificate(set.ca.cert).publicKey)).toBe(true);
    expect(Date.parse(cert.validTo)).toBeGreaterThan(Date.now());

    const server = tls.createServer({ ...set.wildcard }, (socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as net.AddressInfo;
      expect(await connect(port, 'localhost', set.ca.cert)).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    } finally {
      server.close();
    }
  });
});

import { cachedCertificateSet } from '../certs/cache';
import type { ContainerFile } from '../targets/container';

/** Where a container finds the run's certificates: the files `--cmd` gets as {cert}, {key}, {ca}. */
export const CONTAINER_CERTIFICATES = {
  cert: '/run/sockspec/server.crt',
  key: '/run/sockspec/server.key',
  ca: '/run/sockspec/ca.crt',
} as const;

/**
 * The run's server certificate, its key, and the CA that signed them and the client certificates
 * the mutual-TLS cases present, for an image under test. The key is readable by every user: the
 * image's server may run as any user, and the key is a throwaway one of the test CA.
 */
export async function runCertificateFiles(): Promise<ContainerFile[]> {
  const { server, ca } = await cachedCertificateSet();
  return [
    { content: server.cert, target: CONTAINER_CERTIFICATES.cert, mode: 0o644 },
    { content: server.key, target: CONTAINER_CERTIFICATES.key, mode: 0o644 },
    { content: ca.cert, target: CONTAINER_CERTIFICATES.ca, mode: 0o644 },
  ];
}

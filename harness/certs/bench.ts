import { createCertificateSet } from './certificate-set';

/** Wall time of one full certificate set generated from nothing (no cache), for the bench runner. */
export async function benchCertificateSet(): Promise<{ ms: number }> {
  const start = performance.now();
  await createCertificateSet();
  return { ms: performance.now() - start };
}

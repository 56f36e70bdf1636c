import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { cachedCertificateSet } from '../certs/cache';
import { writeCertificateSet } from '../certs/write';
import { UsageError } from './errors';

/** `sockspec certs --out DIR`: the run's certificate set as PEM files, for configuring a server under test. */
export async function writeCertificates(out: string | undefined): Promise<string[]> {
  if (!out) throw new UsageError('certs needs --out DIR');
  const dir = path.resolve(out);
  mkdirSync(dir, { recursive: true });
  const paths = await writeCertificateSet(await cachedCertificateSet(), dir);
  return [
    `wrote the run's certificates to ${dir}:`,
    `  server certificate and key (localhost, 127.0.0.1, ::1): ${paths.server.cert}, ${paths.server.key}`,
    `  CA (trust it for the server; it also signs the client certificates): ${paths.ca.cert}`,
    '  and the variants the cases use: alt, expired, wrong-host, weak-key, self-signed, other-ca, other-ca-server, client, other-ca-client',
  ];
}

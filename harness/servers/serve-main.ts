import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cachedCertificateSet, defaultCacheDir, storeCertificateSet } from '../certs/cache';
import type { CertificateSet } from '../certs/certificate-set';
import type { ServiceName } from '../targets/target';
import { REFERENCE_SERVERS } from './catalog';
import { serveForeground } from './serve';

/*
 * The entry point of sockspec's reference image:
 *
 *   node dist/harness/servers/serve-main.js SERVICE --port N [--host H] [--certificates FILE] [--no-idle-timeout]
 *
 * It loads only node builtins, harness/servers and harness/certs (with node-forge), so the image
 * carries those and none of the CLI's dependencies (jest, testcontainers). `sockspec serve` parses
 * its arguments here too, so the two cannot drift apart.
 */

export interface ServeRequest {
  service: ServiceName;
  host: string;
  port: number;
  /** For TLS services: a certificate set (JSON, as the certificate cache stores it) to serve with. */
  certificates?: string;
  /** Keep idle connections open, instead of the 2 s the reference echo declares elsewhere. */
  noIdleTimeout: boolean;
}

export const SERVICES = Object.keys(REFERENCE_SERVERS) as ServiceName[];

/** A mistake in the arguments or the certificate file: one line for the user, no stack. */
export class ServeArgumentError extends Error {}

export function parseServeArgs(args: readonly string[]): ServeRequest {
  const { values, positionals } = parseStrict(args);
  const [service, ...extra] = positionals;
  if (service === undefined) throw new ServeArgumentError(`serve needs a SERVICE (${SERVICES.join(', ')})`);
  if (extra.length > 0) throw new ServeArgumentError(`unexpected argument: ${extra[0]}`);
  if (!isService(service)) throw new ServeArgumentError(`unknown service "${service}" (services: ${SERVICES.join(', ')})`);
  return {
    service,
    host: values.host ?? '127.0.0.1',
    port: values.port === undefined ? 0 : listenPort(values.port),
    certificates: values.certificates,
    noIdleTimeout: values['no-idle-timeout'] ?? false,
  };
}

/** Runs the server until SIGINT or SIGTERM. */
export async function serveRequest(request: ServeRequest): Promise<void> {
  if (request.certificates !== undefined) await installCertificates(request.certificates);
  await serveForeground(request.service, { host: request.host, port: request.port, noIdleTimeout: request.noIdleTimeout });
}

function parseStrict(args: readonly string[]) {
  const options = { port: { type: 'string' }, host: { type: 'string' }, certificates: { type: 'string' }, 'no-idle-timeout': { type: 'boolean' } } as const;
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new ServeArgumentError((err as Error).message.split('\n')[0]);
  }
}

function isService(name: string): name is ServiceName {
  return (SERVICES as string[]).includes(name);
}

function listenPort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) throw new ServeArgumentError(`--port takes 0-65535, not "${value}"`);
  return port;
}

/**
 * Makes the set in `file` the one the TLS reference servers use, by storing it where they look (the
 * certificate cache). A container target passes the host's set this way, so the server in the
 * container has the CA the run trusts. The cache would silently replace a set it cannot use
 * (malformed, expiring) with a new one under another CA, so the set is tried in a scratch folder
 * first: a bad file is an error, and never overwrites the cache.
 */
async function installCertificates(file: string): Promise<void> {
  const set = await readCertificateSet(file);
  if (!(await cacheWouldUse(set))) throw new ServeArgumentError(`--certificates ${file}: not a usable certificate set (malformed, or expiring within a day)`);
  await storeCertificateSet(set);
  // The cache leaves a folder other users can write to alone: the servers would then make a set of their own.
  if ((await cachedCertificateSet()).ca.cert !== set.ca.cert) {
    throw new ServeArgumentError(`--certificates ${file}: could not be stored in ${defaultCacheDir()}`);
  }
}

async function readCertificateSet(file: string): Promise<CertificateSet> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as CertificateSet;
  } catch (err) {
    throw new ServeArgumentError(`--certificates ${file}: ${(err as Error).message}`);
  }
}

/** Whether the cache would hand `set` back unchanged, tried in a private scratch folder. */
async function cacheWouldUse(set: CertificateSet): Promise<boolean> {
  // The reference image is built FROM scratch: it has no /tmp until something creates it.
  await mkdir(os.tmpdir(), { recursive: true });
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'sockspec-certs-check-'));
  try {
    await storeCertificateSet(set, scratch);
    return (await cachedCertificateSet(scratch)).ca.cert === set.ca?.cert;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

async function main(args: readonly string[]): Promise<void> {
  try {
    await serveRequest(parseServeArgs(args));
  } catch (err) {
    process.stderr.write(`sockspec serve: ${(err as Error).message}\n`);
    process.exitCode = 2;
  }
}

if (require.main === module) void main(process.argv.slice(2));

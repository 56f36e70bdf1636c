import { X509Certificate, createPrivateKey } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { benchCertificateSet } from '../harness/certs/bench';
import { cachedCertificateSet, storeCertificateSet } from '../harness/certs/cache';
import { CERTIFICATE_NAMES, OUT_OF_DATE, type CertificateName, type CertificateSet, createCertificateSet } from '../harness/certs/certificate-set';
import { makeTempCertificates, withTempCertificates } from '../harness/certs/write';
import type { PemPair } from '../harness/certs/authority';

const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const LOCALHOST_SANS = 'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1';

let set: CertificateSet;
let x509: Record<CertificateName, X509Certificate>;

beforeAll(async () => {
  set = await createCertificateSet();
  x509 = Object.fromEntries(CERTIFICATE_NAMES.map((name) => [name, new X509Certificate(set[name].cert)])) as typeof x509;
});

describe('certificate set', () => {
  test.each(CERTIFICATE_NAMES)('%s is signed with sha256WithRSAEncryption', (name) => {
    expect(signatureAlgorithm(x509[name].raw)).toBe(SHA256_WITH_RSA);
  });

  test('each key matches its certificate', () => {
    for (const name of CERTIFICATE_NAMES) expect(x509[name].checkPrivateKey(createPrivateKey(set[name].key))).toBe(true);
  });

  test('server names', () => {
    expect(x509.server.subject).toContain('CN=localhost');
    for (const name of ['server', 'expired', 'selfSigned', 'otherCaServer'] as const) expect(x509[name].subjectAltName).toBe(LOCALHOST_SANS);
    expect(x509.alt.subjectAltName).toBe('DNS:alt.localhost');
    expect(x509.wrongHost.subjectAltName).toBe('DNS:wrong.example');
    expect(x509.server.checkHost('localhost')).toBe('localhost');
    expect(x509.server.checkIP('::1')).toBe('::1');
  });

  test('purposes: roots sign, servers serve, clients authenticate', () => {
    expect([x509.ca.ca, x509.otherCa.ca]).toEqual([true, true]);
    for (const name of ['server', 'alt', 'expired', 'wrongHost', 'selfSigned', 'otherCaServer'] as const) {
      expect([x509[name].ca, x509[name].keyUsage]).toEqual([false, [SERVER_AUTH]]);
    }
    for (const name of ['client', 'otherCaClient'] as const) expect([x509[name].ca, x509[name].keyUsage]).toEqual([false, [CLIENT_AUTH]]);
  });

  test('who signed what', () => {
    for (const name of ['server', 'alt', 'expired', 'wrongHost', 'client'] as const) expect(x509[name].verify(x509.ca.publicKey)).toBe(true);
    for (const name of ['otherCaServer', 'otherCaClient'] as const) {
      expect(x509[name].verify(x509.otherCa.publicKey)).toBe(true);
      expect(x509[name].verify(x509.ca.publicKey)).toBe(false);
    }
    expect(x509.selfSigned.issuer).toBe(x509.selfSigned.subject);
    expect(x509.selfSigned.verify(x509.selfSigned.publicKey)).toBe(true);
    expect(x509.selfSigned.checkIssued(x509.ca)).toBe(false);
  });

  test('chained and ipOnly are signed by the intermediate, which the root signs', () => {
    expect(x509.intermediate.checkIssued(x509.ca)).toBe(true);
    expect(x509.chained.checkIssued(x509.intermediate)).toBe(true);
    expect(x509.ipOnly.checkIssued(x509.intermediate)).toBe(true);
    expect(x509.chained.checkIssued(x509.ca)).toBe(false);
    expect(x509.ipOnly.checkHost('localhost')).toBeUndefined();
    expect(x509.ipOnly.checkIP('127.0.0.1')).toBe('127.0.0.1');
  });

  test('expired is expired, notYetValid starts later, the rest are valid now', () => {
    const now = Date.now();
    expect(Date.parse(x509.expired.validTo)).toBeLessThan(now);
    expect(Date.parse(x509.notYetValid.validFrom)).toBeGreaterThan(now);
    for (const name of CERTIFICATE_NAMES.filter((n) => !OUT_OF_DATE.includes(n))) {
      expect(Date.parse(x509[name].validFrom)).toBeLessThanOrEqual(now);
      expect(Date.parse(x509[name].validTo)).toBeGreaterThan(now);
    }
  });
});

describe('a Node TLS client trusting the CA', () => {
  test.each([
    ['server', 'localhost', 'ok'],
    ['alt', 'alt.localhost', 'ok'],
    ['expired', 'localhost', 'CERT_HAS_EXPIRED'],
    ['wrongHost', 'localhost', 'ERR_TLS_CERT_ALTNAME_INVALID'],
    ['selfSigned', 'localhost', 'DEPTH_ZERO_SELF_SIGNED_CERT'],
    ['otherCaServer', 'localhost', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
  ] as const)('%s for %s: %s', async (name, servername, outcome) => {
    expect(await handshake(set[name], { servername })).toBe(outcome);
  });

  test('accepts the server certificate by IP address, v4 and v6', async () => {
    expect(await handshake(set.server, { host: '127.0.0.1' })).toBe('ok');
    expect(await handshake(set.server, { host: '::1' })).toBe('ok');
  });
});

describe('files', () => {
  test('keys are private, certificates readable, and the folder goes away', async () => {
    const temp = await makeTempCertificates(set);
    expect((await stat(temp.paths.server.key)).mode & 0o777).toBe(0o600);
    expect((await stat(temp.paths.server.cert)).mode & 0o777).toBe(0o644);
    expect(path.basename(temp.paths.wrongHost.cert)).toBe('wrong-host.crt');
    expect(await readFile(temp.paths.ca.cert, 'utf8')).toBe(set.ca.cert);
    await temp.remove();
    expect(existsSync(temp.dir)).toBe(false);
  });

  test('withTempCertificates removes the folder when its body throws', async () => {
    let dir = '';
    const failing = withTempCertificates(set, async (_paths, tempDir) => {
      dir = tempDir;
      throw new Error('boom');
    });
    await expect(failing).rejects.toThrow('boom');
    expect(dir).not.toBe('');
    expect(existsSync(dir)).toBe(false);
  });
});

describe('cache', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'sockspec-cache-test-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  test('the first call stores a private set that the next call reuses', async () => {
    const dir = path.join(root, 'cache');
    const first = await cachedCertificateSet(dir);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await stat(path.join(dir, 'set.json'))).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['set.json']);
    expect(await cachedCertificateSet(dir)).toEqual(first);
  });

  test('a damaged file is replaced', async () => {
    await storeCertificateSet(set, root);
    await writeFile(path.join(root, 'set.json'), '{"ca":');
    expect(Object.keys(await cachedCertificateSet(root))).toEqual(CERTIFICATE_NAMES);
    expect(JSON.parse(await readFile(path.join(root, 'set.json'), 'utf8')).ca.cert).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });

  test('a set about to expire is regenerated', async () => {
    await storeCertificateSet(set, root);
    expect(await cachedCertificateSet(root)).toEqual(set);
    const in29AndAHalfDays = Date.now() + 29.5 * 24 * 3600 * 1000;
    expect((await cachedCertificateSet(root, in29AndAHalfDays)).ca.cert).not.toBe(set.ca.cert);
  });

  test('a folder others can write is neither read nor written', async () => {
    await storeCertificateSet(set, root);
    await chmod(root, 0o777);
    expect((await cachedCertificateSet(root)).ca.cert).not.toBe(set.ca.cert);
    expect(JSON.parse(await readFile(path.join(root, 'set.json'), 'utf8'))).toEqual(set);
  });
});

test('benchCertificateSet times a full cold generation', async () => {
  const { ms } = await benchCertificateSet();
  expect(ms).toBeGreaterThan(0);
});

/** The outer signatureAlgorithm OID of a DER certificate: SEQUENCE { tbs, SEQUENCE { OID, ... }, sig }. */
function signatureAlgorithm(der: Buffer): string {
  const certificate = derElement(der, 0);
  const tbs = derElement(der, certificate.contentStart);
  const algorithm = derElement(der, tbs.end);
  const oid = derElement(der, algorithm.contentStart);
  return decodeOid(der.subarray(oid.contentStart, oid.end));
}

function derElement(der: Buffer, offset: number): { contentStart: number; end: number } {
  const first = der[offset + 1];
  if (first < 0x80) return { contentStart: offset + 2, end: offset + 2 + first };
  const lengthBytes = first & 0x7f;
  const length = der.readUIntBE(offset + 2, lengthBytes);
  const contentStart = offset + 2 + lengthBytes;
  return { contentStart, end: contentStart + length };
}

function decodeOid(bytes: Buffer): string {
  const arcs = [Math.floor(bytes[0] / 40), bytes[0] % 40];
  let value = 0;
  for (const byte of bytes.subarray(1)) {
    value = value * 128 + (byte & 0x7f);
    if (byte < 0x80) {
      arcs.push(value);
      value = 0;
    }
  }
  return arcs.join('.');
}

/** One TLS handshake against `pair`, with a client trusting only `set.ca`: 'ok' or the error code. */
function handshake(pair: PemPair, client: { servername?: string; host?: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    const server = tls.createServer({ ...pair }, (socket) => socket.end());
    server.on('tlsClientError', () => undefined); // the client's refusal, reported on its side
    server.listen(0, client.host ?? '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      const finish = (outcome: string) => server.close(() => resolve(outcome));
      const socket = tls.connect({ port, host: client.host ?? '127.0.0.1', servername: client.servername, ca: set.ca.cert }, () => {
        socket.destroy();
        finish('ok');
      });
      socket.on('error', (err: NodeJS.ErrnoException) => finish(err.code ?? err.message));
    });
    server.on('error', reject);
  });
}

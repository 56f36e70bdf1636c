import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { Duplex } from 'node:stream';
import tls from 'node:tls';
import { cachedCertificateSet } from '../harness/certs/cache';
import type { CertificateSet } from '../harness/certs/certificate-set';
import { withTempCertificates } from '../harness/certs/write';
import type { RunningServer } from '../harness/servers/running-server';
import { serveTlsEcho, startTlsEcho } from '../harness/servers/tls-echo';
import * as acceptsTls10 from '../fixtures/mutants/tls/tls10';
import * as acceptsNullCipher from '../fixtures/mutants/tls/null-cipher';

/** What a client saw: whether its handshake finished, what came back, how it ended. */
interface Outcome {
  secure: boolean;
  protocol: string | null;
  alpn: string | false | null;
  peerSans: string | undefined;
  echoed: Buffer;
  /** The error code, or 'end' for a clean end of stream, or 'close' for neither. */
  ending: string;
}

const OLD_TLS_CLIENT: tls.ConnectionOptions = { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' };
const NULL_CIPHER_CLIENT: tls.ConnectionOptions = { maxVersion: 'TLSv1.2', ciphers: 'NULL-SHA256:@SECLEVEL=0' };
const TLS_ALERT = 21;
const TLS_APPLICATION_DATA = 23;

let certs: CertificateSet;
let server: RunningServer;
let mtls: RunningServer;

beforeAll(async () => {
  certs = await cachedCertificateSet();
  server = await startTlsEcho({ certs });
  mtls = await startTlsEcho({ certs, requireClientCert: true });
});
afterAll(async () => {
  await server.close();
  await mtls.close();
});

describe('TLS echo', () => {
  test('binds loopback', () => {
    expect([server.host, server.transport]).toEqual(['127.0.0.1', 'tcp']);
  });

  test('TLS 1.3 round trip: every byte back, in order, then the end', async () => {
    const payload = randomBytes(1024 * 1024);
    const outcome = await exchange(server, {}, payload);
    expect([outcome.protocol, outcome.ending]).toEqual(['TLSv1.3', 'end']);
    expect(outcome.echoed.equals(payload)).toBe(true);
  });

  test('TLS 1.2 round trip with a forward-secret AEAD suite', async () => {
    let cipher: string | undefined;
    const outcome = await exchange(server, { maxVersion: 'TLSv1.2' }, Buffer.from('twelve'), (s) => (cipher = s.getCipher().name));
    expect([outcome.protocol, outcome.echoed.toString(), outcome.ending]).toEqual(['TLSv1.2', 'twelve', 'end']);
    expect(cipher).toMatch(/^ECDHE-RSA-(AES\d+-GCM|CHACHA20-POLY1305)/);
  });

  test('refuses TLS 1.0, which the same client does speak', async () => {
    const refused = await exchange(server, OLD_TLS_CLIENT);
    expect([refused.secure, refused.ending]).toEqual([false, 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION']);
    const control = await acceptsTls10.start({ certs });
    try {
      expect((await exchange(control, OLD_TLS_CLIENT)).protocol).toBe('TLSv1');
    } finally {
      await control.close();
    }
  });

  test('refuses a NULL cipher suite, which the same client does get elsewhere', async () => {
    expect((await exchange(server, NULL_CIPHER_CLIENT)).ending).toBe('ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE');
    const control = await acceptsNullCipher.start({ certs });
    try {
      expect((await exchange(control, NULL_CIPHER_CLIENT)).echoed.toString()).toBe('ping');
    } finally {
      await control.close();
    }
  });

  test('SNI: alt.localhost gets its own certificate, localhost the default one', async () => {
    expect((await exchange(server, { servername: 'alt.localhost' })).peerSans).toBe('DNS:alt.localhost');
    expect((await exchange(server, { servername: 'localhost' })).peerSans).toMatch(/^DNS:localhost,/);
  });

  test('ALPN: the first of its own protocols that the client offers', async () => {
    expect((await exchange(server, { ALPNProtocols: ['http/1.1', 'sockspec/1'] })).alpn).toBe('sockspec/1');
    expect((await exchange(server, { ALPNProtocols: ['x', 'http/1.1'] })).alpn).toBe('http/1.1');
    expect((await exchange(server, {})).alpn).toBe(false);
    expect((await exchange(server, { ALPNProtocols: ['h2'] })).ending).toBe('ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL');
  });

  test('half-close: echoes what came before the client ended, then close_notify and FIN', async () => {
    const records = await recordTypesAfterHalfClose(server);
    expect(records.slice(-2)).toEqual([TLS_APPLICATION_DATA, TLS_ALERT]);
  });

  test('a client that does not read stops the server reading (backpressure)', async () => {
    const socket = await connect(server, {});
    socket.pause();
    const flood = Buffer.alloc(32 * 1024 * 1024, 7);
    socket.write(flood);
    await delay(300);
    expect(socket.writableLength).toBeGreaterThan(0);
    const echoed = collect(socket);
    socket.resume();
    socket.end();
    expect((await echoed).length).toBe(flood.length);
  });

  test('close() resolves at once with a connection still open', async () => {
    const own = await startTlsEcho({ certs });
    const socket = await connect(own, {});
    const closed = new Promise((resolve) => socket.on('close', resolve));
    socket.on('error', () => undefined);
    const started = Date.now();
    await own.close();
    await closed;
    expect(Date.now() - started).toBeLessThan(500);
  });

  test('openssl s_client: verified handshake and echo', async () => {
    const { stdout, stderr } = await opensslEcho(server, 'ping sockspec\n');
    expect(stdout).toContain('ping sockspec');
    expect(stderr).toContain('Verification: OK');
    expect(stderr).toContain('Protocol version: TLSv1.3');
  });
});

describe('TLS echo with client certificates', () => {
  test('refuses a client with no certificate', async () => {
    const outcome = await exchange(mtls, {});
    expect(outcome.echoed.length).toBe(0);
    expect(outcome.ending).toBe('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED');
  });

  test('accepts a client certificate from its CA', async () => {
    const outcome = await exchange(mtls, { ...certs.client });
    expect([outcome.echoed.toString(), outcome.ending]).toEqual(['ping', 'end']);
  });

  test('refuses a client certificate from another CA', async () => {
    // Node's server checks the chain after the handshake and drops the connection without an alert.
    const outcome = await exchange(mtls, { ...certs.otherCaClient });
    expect(outcome.echoed.length).toBe(0);
  });

  test('serveTlsEcho --mtls: the cached set, client certificates required', async () => {
    const served = await serveTlsEcho({ mtls: true });
    try {
      expect(served.certs).toEqual(certs);
      expect((await exchange(served, {})).echoed.length).toBe(0);
      expect((await exchange(served, { ...certs.client })).echoed.toString()).toBe('ping');
    } finally {
      await served.close();
    }
  });

  test('keeps requiring client certificates under SNI', async () => {
    expect((await exchange(mtls, { servername: 'alt.localhost' })).echoed.length).toBe(0);
    expect((await exchange(mtls, { servername: 'alt.localhost', ...certs.client })).echoed.toString()).toBe('ping');
  });
});

function connect(target: RunningServer, options: tls.ConnectionOptions): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: target.host, port: target.port, servername: 'localhost', ca: certs.ca.cert, ...options }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/**
 * Connects, sends `payload`, ends the write side and reads until the server ends. Never rejects: a
 * refusal is an outcome like any other.
 */
function exchange(
  target: RunningServer,
  options: tls.ConnectionOptions,
  payload = Buffer.from('ping'),
  onSecure: (socket: tls.TLSSocket) => void = () => undefined,
): Promise<Outcome> {
  return new Promise((resolve) => {
    // Read at handshake time: a destroyed socket no longer reports any of it.
    let handshake: Pick<Outcome, 'secure' | 'protocol' | 'alpn' | 'peerSans'> = { secure: false, protocol: null, alpn: null, peerSans: undefined };
    const socket = tls.connect({ host: target.host, port: target.port, servername: 'localhost', ca: certs.ca.cert, ...options }, () => {
      handshake = { secure: true, protocol: socket.getProtocol(), alpn: socket.alpnProtocol, peerSans: socket.getPeerCertificate().subjectaltname };
      onSecure(socket);
      socket.end(payload);
    });
    const echoed = collect(socket);
    const done = (ending: string) => {
      void echoed.then((bytes) => resolve({ ...handshake, echoed: bytes, ending }));
      socket.destroy();
    };
    socket.once('end', () => done('end'));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
    socket.once('close', () => done('close'));
  });
}

/** Everything read until the stream ends or fails. */
function collect(socket: tls.TLSSocket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve) => socket.once('close', () => resolve(Buffer.concat(chunks))));
}

/**
 * TLS 1.2 leaves each record's content type in clear, so a tap between the TLS client and its TCP
 * socket sees whether the server's last record before FIN is an alert (close_notify). TLS 1.3 hides
 * it inside encrypted records.
 */
function recordTypesAfterHalfClose(target: RunningServer): Promise<number[]> {
  const types: number[] = [];
  const tcp = net.connect({ host: target.host, port: target.port, allowHalfOpen: true });
  let pending = Buffer.alloc(0);
  const tap = new Duplex({
    allowHalfOpen: true,
    read: () => undefined,
    write: (chunk: Buffer, _encoding, callback) => tcp.write(chunk, callback),
    final: (callback) => tcp.end(callback),
  });
  tcp.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 5 && pending.length >= 5 + pending.readUInt16BE(3)) {
      types.push(pending[0]);
      pending = pending.subarray(5 + pending.readUInt16BE(3));
    }
    tap.push(chunk);
  });
  tcp.on('end', () => tap.push(null));
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ socket: tap, servername: 'localhost', ca: certs.ca.cert, maxVersion: 'TLSv1.2' }, () => socket.end('last words'));
    socket.on('error', reject);
    void collect(socket).then((echoed) => {
      expect(echoed.toString()).toBe('last words');
      tcp.destroy();
      resolve(types);
    });
  });
}

function opensslEcho(target: RunningServer, line: string): Promise<{ stdout: string; stderr: string }> {
  return withTempCertificates(certs, (paths) => {
    const args = ['s_client', '-connect', `${target.host}:${target.port}`, '-servername', 'localhost', '-verify_hostname', 'localhost'];
    const client = spawn('openssl', [...args, '-CAfile', paths.ca.cert, '-verify_return_error', '-brief', '-ign_eof']);
    let stdout = '';
    let stderr = '';
    client.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    client.stdin.write(line);
    return new Promise((resolve, reject) => {
      // -ign_eof keeps s_client reading after stdin ends, so it is stopped once the echo is in.
      client.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes(line)) client.kill();
      });
      client.on('error', reject);
      client.on('close', () => resolve({ stdout, stderr }));
    });
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

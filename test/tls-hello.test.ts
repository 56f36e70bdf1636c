import net from 'node:net';
import { cachedCertificateSet } from '../harness/certs/cache';
import { CIPHER_SUITES, clientHelloRecord, offeredSuites, suiteName } from '../harness/net/client-hello';
import { type HelloReply, readHelloReply } from '../harness/net/server-hello';
import { startTlsEcho } from '../harness/servers/tls-echo';
import { startSuiteFront } from '../fixtures/mutants/tls/suite-front';
import { bundledSuite, runEachCaseFresh } from './support/run-suite';

const { TLS_RSA_WITH_RC4_128_SHA, TLS_ECDHE_RSA_WITH_RC4_128_SHA, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 } = CIPHER_SUITES;

describe('clientHelloRecord', () => {
  test('is one handshake record holding a ClientHello that offers the suites in order', () => {
    const suites = [TLS_RSA_WITH_RC4_128_SHA, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256];
    const record = clientHelloRecord(suites, 'localhost');
    expect([record[0], record.readUInt16BE(1), record.readUInt16BE(3)]).toEqual([22, 0x0301, record.length - 5]);
    const message = record.subarray(5);
    expect([message[0], message.readUIntBE(1, 3), message.readUInt16BE(4)]).toEqual([1, message.length - 4, 0x0303]);
    expect(offeredSuites(message)).toEqual(suites);
  });

  test('sends SNI for a host name, not for an IP address', () => {
    expect(clientHelloRecord([TLS_RSA_WITH_RC4_128_SHA], 'localhost').includes(Buffer.from('localhost'))).toBe(true);
    expect(clientHelloRecord([TLS_RSA_WITH_RC4_128_SHA], '127.0.0.1').includes(Buffer.from('127.0.0.1'))).toBe(false);
  });
});

describe('readHelloReply', () => {
  test('waits for a whole record header and alert; tells what is not TLS', () => {
    expect(readHelloReply(Buffer.from([21, 3, 3, 0]))).toBeUndefined();
    expect(readHelloReply(Buffer.from([21, 3, 3, 0, 2, 2]))).toBeUndefined();
    expect(readHelloReply(Buffer.from([21, 3, 3, 0, 2, 2, 40]))).toEqual({ kind: 'alert', alert: { level: 2, description: 40 } });
    expect(readHelloReply(Buffer.from('HTTP/1.1 400 Bad Request\r\n'))).toMatchObject({ kind: 'not-tls' });
    // A plain echo server sends the ClientHello back: a handshake record, but not a ServerHello.
    expect(readHelloReply(clientHelloRecord([TLS_RSA_WITH_RC4_128_SHA]))).toMatchObject({ kind: 'not-tls', detail: expect.stringContaining('type 1') });
  });
});

/** The hand-written hello against the reference server (node:tls, OpenSSL): what it answers. */
async function answerOf(suites: number[]): Promise<HelloReply | 'closed'> {
  const server = await startTlsEcho({ certs: await cachedCertificateSet() });
  try {
    const socket = net.connect(server.port, server.host);
    socket.write(clientHelloRecord(suites, 'localhost'));
    return await new Promise((resolve) => {
      let received = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        const reply = readHelloReply(received);
        if (reply) {
          socket.destroy();
          resolve(reply);
        }
      });
      socket.on('close', () => resolve('closed'));
      socket.on('error', () => undefined);
    });
  } finally {
    await server.close();
  }
}

describe('a real TLS 1.2 server answering the hand-written ClientHello', () => {
  test('selects the strong suite it prefers, ignoring RC4 listed first', async () => {
    const reply = await answerOf([TLS_ECDHE_RSA_WITH_RC4_128_SHA, TLS_RSA_WITH_RC4_128_SHA, TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]);
    expect(reply).toEqual({ kind: 'server-hello', suite: TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 });
    expect(suiteName(TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256)).toBe('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
  });

  test('answers a hello offering only RC4 with a fatal handshake_failure alert', async () => {
    expect(await answerOf([TLS_ECDHE_RSA_WITH_RC4_128_SHA, TLS_RSA_WITH_RC4_128_SHA])).toEqual({ kind: 'alert', alert: { level: 2, description: 40 } });
  });
});

describe('the hand-written hello cases', () => {
  test('fail a server that selects a suite the client never offered, and say so', async () => {
    const suite = bundledSuite('tls');
    const cases = { ...suite, cases: suite.cases.filter((c) => ['rc4-only-refused', 'rc4-not-selected', 'export-and-des-refused'].includes(c.id)) };
    const certs = await cachedCertificateSet();
    // Answers every hello (none of these cases offers NULL) with TLS_RSA_WITH_NULL_SHA.
    const outcomes = await runEachCaseFresh(cases, () => startSuiteFront({ certs }, () => CIPHER_SUITES.TLS_RSA_WITH_NULL_SHA));
    const failures = Object.fromEntries(outcomes.map((o) => [o.caseId, o.failure?.summary]));
    expect(failures).toEqual({
      'rc4-only-refused': 'the server selected TLS_RSA_WITH_NULL_SHA, a suite the client did not offer; it should have refused the hello',
      'rc4-not-selected': 'the server selected TLS_RSA_WITH_NULL_SHA, a suite the client did not offer',
      'export-and-des-refused': 'the server selected TLS_RSA_WITH_NULL_SHA, a suite the client did not offer; it should have refused the hello',
    });
  }, 30_000);
});

import net from 'node:net';
import tls from 'node:tls';
import { cachedCertificateSet } from '../harness/certs/cache';
import { RecordTap, type SeenRecord } from '../harness/net/record-tap';
import { RECORD_TYPE } from '../harness/net/record-types';
import { hkdfExpandLabel } from '../harness/net/tls13-record-keys';

const { alert: ALERT, handshake: HANDSHAKE, applicationData: APPLICATION_DATA } = RECORD_TYPE;

describe('hkdfExpandLabel', () => {
  test('derives the handshake key and IV of RFC 8448 §3 (simple 1-RTT handshake)', () => {
    const secret = Buffer.from('b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38', 'hex');
    expect(hkdfExpandLabel('sha256', secret, 'key', 16).toString('hex')).toBe('3fce516009c21727d0f2e4e86ee403bc');
    expect(hkdfExpandLabel('sha256', secret, 'iv', 12).toString('hex')).toBe('5d313eb2671276ee13000b30');
  });
});

/**
 * A real node:tls session read through the tap: the client sends `message` and half-closes, the
 * server echoes it and then ends as `finish` says. Returns every record the server sent, as the
 * tap reported it.
 */
async function recordsOf(client: tls.ConnectionOptions, finish: (socket: tls.TLSSocket) => void, message = Buffer.from('hello')): Promise<SeenRecord[]> {
  const certs = await cachedCertificateSet();
  const server = tls.createServer({ ...certs.server, minVersion: 'TLSv1.2', allowHalfOpen: true }, (socket) => {
    socket.on('error', () => undefined);
    socket.pipe(socket, { end: false });
    socket.once('end', () => socket.write(Buffer.alloc(0), () => finish(socket)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as net.AddressInfo;
    const raw = net.connect(port, '127.0.0.1');
    const records: SeenRecord[] = [];
    const tap = new RecordTap(raw, (record) => records.push(record));
    const socket = tls.connect({ socket: tap, servername: 'localhost', ca: certs.ca.cert, ...client }, () => socket.end(message));
    socket.on('keylog', (line) => tap.keylog(line));
    let received = 0;
    socket.on('data', (chunk: Buffer) => (received += chunk.length));
    await new Promise<void>((resolve, reject) => {
      socket.on('error', reject);
      raw.on('close', () => resolve());
    });
    expect(received).toBe(message.length);
    return records;
  } finally {
    server.close();
  }
}

describe('RecordTap', () => {
  test.each(['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'])(
    'opens every record of a TLS 1.3 session under %s and sees the close_notify last',
    async (suite) => {
      const records = await recordsOf({ ciphers: suite, minVersion: 'TLSv1.3' }, (s) => s.end());
      expect(records.filter((r) => r.unopened)).toEqual([]);
      // The handshake flight (EncryptedExtensions, Certificate, CertificateVerify, Finished), the
      // session tickets (handshake messages under the application key), the reply, the alert.
      expect(records.filter((r) => r.type === HANDSHAKE).length).toBeGreaterThanOrEqual(2);
      expect(records.filter((r) => r.type === APPLICATION_DATA)).toHaveLength(1);
      expect(records[records.length - 1]).toEqual({ type: ALERT, alert: { level: 1, description: 0 } });
    },
  );

  test('a TLS 1.3 server that ends with a bare FIN leaves application data as the last record', async () => {
    const records = await recordsOf({ minVersion: 'TLSv1.3' }, (s) => s.destroy());
    expect(records[records.length - 1]).toEqual({ type: APPLICATION_DATA, alert: undefined });
    expect(records.some((r) => r.type === ALERT || r.unopened)).toBe(false);
  });

  test('records spanning many reads are opened in order (1 MiB of application data)', async () => {
    const records = await recordsOf({ minVersion: 'TLSv1.3' }, (s) => s.end(), Buffer.alloc(1024 * 1024, 7));
    expect(records.filter((r) => r.unopened)).toEqual([]);
    expect(records.filter((r) => r.type === APPLICATION_DATA).length).toBeGreaterThanOrEqual(64);
    expect(records[records.length - 1].alert).toEqual({ level: 1, description: 0 });
  });

  test('TLS 1.2 records are reported by their visible type, the alert unread', async () => {
    const records = await recordsOf({ maxVersion: 'TLSv1.2' }, (s) => s.end());
    expect(records[records.length - 1]).toEqual({ type: ALERT });
    expect(records.map((r) => r.type)).toContain(APPLICATION_DATA);
  });
});

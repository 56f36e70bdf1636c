import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { PacketCapture } from '../harness/capture/packet-capture';
import { readSegments } from '../harness/capture/segments';
import { describeRecords, readTlsRecords } from '../harness/capture/tls-records';
import { connectionFrom, dataSent } from '../harness/capture/wire-facts';
import { runCase } from '../harness/run/run-case';
import { REFERENCE_SERVERS } from '../harness/servers/catalog';
import type { RunningServer } from '../harness/servers/running-server';
import { ZOO } from '../fixtures/mutants/zoo';
import { bundledSuite } from './support/run-suite';
import { describeWithCapture } from './support/capture';

/** A TLS 1.3 session with the reference server: one line echoed, then the client half-closes; its key log lines. */
async function echoOnce(server: RunningServer): Promise<{ port: number; keyLines: string[] }> {
  const keyLines: string[] = [];
  const socket = tls.connect({ host: server.host, port: server.port, rejectUnauthorized: false, minVersion: 'TLSv1.3', servername: 'localhost' });
  socket.on('keylog', (line: Buffer) => keyLines.push(line.toString().trimEnd()));
  let port = 0;
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', () => {
      port = socket.localPort ?? 0;
      socket.end('over TLS\n');
    });
    socket.on('data', () => undefined);
    socket.once('close', () => resolve());
    socket.once('error', reject);
  });
  return { port, keyLines };
}

describeWithCapture('TLS records on real captures', () => {
  const suite = bundledSuite('tls');
  const caseOf = (id: string) => {
    const found = suite.cases.find((c) => c.id === id);
    if (!found) throw new Error(`tls has no case ${id}`);
    return found;
  };
  const endpointOf = (server: RunningServer) => ({ 'tls-echo': { host: server.host, port: server.port, transport: 'tcp' as const, tls: REFERENCE_SERVERS['tls-echo'].tls } });

  test("the decoder reads a TLS 1.3 session's server records, the protected ones opened with the key log", async () => {
    const server = await REFERENCE_SERVERS['tls-echo'].start({});
    const folder = mkdtempSync(path.join(os.tmpdir(), 'wire-tls-'));
    try {
      const capture = await PacketCapture.start();
      capture.watchPort(server.port);
      const { port, keyLines } = await echoOnce(server);
      // The kept file: the session's packets alone, no longer growing.
      const kept = await capture.stop(path.join(folder, 'session'));
      if (!kept) throw new Error('the capture kept nothing');
      const conn = connectionFrom(await readSegments(kept.pcap, [port]), port);
      if (!conn) throw new Error('the capture holds no packet of the session');
      const source = { clientPort: port, stream: conn.segments[0].stream, senderPort: server.port, tlsPort: server.port };
      const records = await readTlsRecords(kept.pcap, keyLines, source);
      expect(describeRecords(records)).toEqual([
        'ServerHello', 'ChangeCipherSpec', 'EncryptedExtensions', 'Certificate', 'CertificateVerify', 'Finished', 'NewSessionTicket×2', 'ApplicationData', 'Alert(warning, close_notify)',
      ]);
      // Every byte the server sent is in a record, and the records come in order.
      expect(records.reduce((sum, r) => sum + r.length, 0)).toBe(dataSent(conn, 'server'));
      expect(records.map((r) => r.at)).toEqual([...records.map((r) => r.at)].sort((a, b) => a - b));
      // Without the key log the same records stay sealed: their names came from the keys.
      expect(describeRecords(await readTlsRecords(kept.pcap, [], source))).toEqual(['ServerHello', 'ChangeCipherSpec', 'Encrypted×8']);
    } finally {
      rmSync(folder, { recursive: true, force: true });
      await server.close();
    }
  }, 60_000);

  test('the reference passes the wire checks; a server that hangs up on a non-handshake record fails with its records shown', async () => {
    const reference = await REFERENCE_SERVERS['tls-echo'].start({});
    const mutant = await ZOO.tls['non-hello-hang-up'].start({});
    try {
      for (const id of ['unexpected-record-alert', 'tls10-refused']) {
        expect((await runCase(suite, caseOf(id), endpointOf(reference))).failure?.summary).toBeUndefined();
      }
      const failed = await runCase(suite, caseOf('unexpected-record-alert'), endpointOf(mutant));
      expect(failed.failure?.step?.description).toBe("expect on the wire: the server's alert is unexpected_message");
      expect(failed.failure?.summary).toBe("expected the server's first alert to be unexpected_message on main; the server sent no alert");
      expect(failed.failure?.details).toEqual(['server: FIN']);
      expect(failed.attribution?.rules).toEqual(['rfc8446-5-unexpected-record']);
    } finally {
      await reference.close();
      await mutant.close();
    }
  }, 60_000);

  test('a TLS 1.0 client refused with the wrong alert: the failure names it and shows the records', async () => {
    const mutant = await ZOO.tls['old-versions-no-shared-suite'].start({});
    try {
      const failed = await runCase(suite, caseOf('tls10-refused'), endpointOf(mutant));
      expect(failed.failure?.summary).toBe("expected the server's first alert to be protocol_version on probe; the server sent fatal handshake_failure");
      expect(failed.failure?.details).toEqual(['server: Alert(fatal, handshake_failure), FIN']);
    } finally {
      await mutant.close();
    }
  }, 60_000);
});

import { execFile } from 'node:child_process';
import { connect, createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { PacketCapture } from '../harness/capture/packet-capture';
import { CaseCapture } from '../harness/capture/case-capture';
import { readSegments } from '../harness/capture/segments';
import { captureHoles, connectionFrom, type WireSnapshot } from '../harness/capture/wire-facts';
import { runCase } from '../harness/run/run-case';
import { REFERENCE_SERVERS } from '../harness/servers/catalog';
import { CaptureLoss } from '../harness/verdict/failure';
import { bundledSuite } from './support/run-suite';
import { describeWithCapture } from './support/capture';
import { tempDir } from './support/cli';

const run = promisify(execFile);

/** Sends `pieces` writes of 1000 bytes to a local sink, 5 ms apart (a segment each), and closes; the client's port. */
async function exchange(pieces: number): Promise<number> {
  const sink = createServer((socket) => socket.resume());
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const client = connect((sink.address() as AddressInfo).port, '127.0.0.1');
  await new Promise((resolve) => client.once('connect', resolve));
  for (let i = 0; i < pieces; i++) {
    client.write(Buffer.alloc(1000, i));
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const port = client.localPort as number;
  await new Promise<void>((resolve) => client.end(() => resolve()));
  await new Promise((resolve) => setTimeout(resolve, 50));
  sink.close();
  return port;
}

describeWithCapture('a capture with holes', () => {
  afterEach(() => jest.restoreAllMocks());

  test("a packet missing from a connection's capture is a hole; the whole capture has none", async () => {
    const capture = await PacketCapture.start();
    const dir = tempDir();
    try {
      const port = await exchange(10);
      capture.watchPort(port);
      const files = await capture.stop(path.join(dir.path, 'case'));
      const intact = connectionFrom(await readSegments(files!.pcap, [port]), port);
      expect(captureHoles(intact!)).toBe(0);
      // What a kernel drop leaves: the same capture without one of the client's data segments.
      // (The kept file holds this connection's packets only, in the order decoded: packet N is segment N - 1.)
      const clientData = intact!.segments.flatMap((s, i) => (s.srcPort === port && s.len > 0 ? [i + 1] : []));
      const holed = path.join(dir.path, 'holed.pcap');
      await run('editcap', [files!.pcap, holed, String(clientData[1])]);
      const wire = connectionFrom(await readSegments(holed, [port]), port);
      expect(wire!.segments).toHaveLength(intact!.segments.length - 1);
      expect(captureHoles(wire!)).toBeGreaterThan(0);
      // Without its SYN, a connection the case saw open has a hole at its start.
      const noSyn = path.join(dir.path, 'no-syn.pcap');
      await run('editcap', [files!.pcap, noSyn, '1']);
      expect(captureHoles(connectionFrom(await readSegments(noSyn, [port]), port)!)).toBe(1);
    } finally {
      dir.remove();
    }
  }, 60_000);

  describe('a wire check that meets one', () => {
    const suite = bundledSuite('echo-tcp');
    const synOptions = suite.cases.find((c) => c.id === 'syn-options');
    const run = async () => {
      const server = await REFERENCE_SERVERS['echo-tcp'].start({});
      try {
        return await runCase(suite, synOptions!, { 'echo-tcp': { ...server, transport: 'tcp' } });
      } finally {
        await server.close();
      }
    };
    /** The capture as read, with the server's SYN-ACK taken out: a hole where the check looks. */
    const withoutSyn = async function (this: CaseCapture, name: string, signal?: AbortSignal): Promise<WireSnapshot | undefined> {
      const wire = await original.call(this, name, signal);
      return wire && { ...wire, segments: wire.segments.filter((s) => !(s.syn && s.ack)) };
    };
    const original = CaseCapture.prototype.connection;

    test('the case runs a second time, which decides it; the note says why', async () => {
      jest.spyOn(CaseCapture.prototype, 'connection').mockImplementationOnce(withoutSyn);
      const outcome = await run();
      expect(outcome.verdict).toBe('pass');
      expect(outcome.notes[0]).toBe(
        "run a second time: the first run's packet capture could not be trusted (the capture holds no SYN-ACK of main: it missed the handshake)",
      );
    }, 30_000);

    test('a hole again: the case fails without evidence, and says no rule broken', async () => {
      jest.spyOn(CaseCapture.prototype, 'connection').mockImplementation(withoutSyn);
      const outcome = await run();
      expect(outcome.failure).toBeInstanceOf(CaptureLoss);
      expect(outcome.failure?.summary).toBe('the capture holds no SYN-ACK of main: it missed the handshake');
      expect(outcome.attribution).toEqual({ as: 'precondition', rules: [], notReached: ['echo-tcp-syn-options'] });
    }, 30_000);
  });
});

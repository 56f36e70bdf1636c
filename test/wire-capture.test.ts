import net from 'node:net';
import { runCase } from '../harness/run/run-case';
import { REFERENCE_SERVERS } from '../harness/servers/catalog';
import { listenTcp } from '../harness/servers/listen';
import { ZOO } from '../fixtures/mutants/zoo';
import { bundledSuite } from './support/run-suite';
import { describeWithCapture } from './support/capture';

/** An echo server that loses the first byte of every connection: the client sees a short echo, the wire says where it went. */
function dropsFirstByte(): Promise<{ host: string; port: number; close(): Promise<void> }> {
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    let first = true;
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      socket.write(first ? chunk.subarray(1) : chunk);
      first = false;
    });
    socket.on('end', () => socket.end());
  });
  return listenTcp(server, {});
}

describeWithCapture('wire checks on real captures', () => {
  const suite = bundledSuite('echo-tcp');
  const closeAfterPause = suite.cases.find((c) => c.id === 'close-after-pause');
  if (!closeAfterPause) throw new Error('echo-tcp has no close-after-pause case');

  test('a reset the client never reads: the reference passes, the mutant fails at the wire check only', async () => {
    const reference = await REFERENCE_SERVERS['echo-tcp'].start({});
    const mutant = await ZOO['echo-tcp']['aborts-after-quiet-client'].start({});
    try {
      const passed = await runCase(suite, closeAfterPause, { 'echo-tcp': { ...reference, transport: 'tcp' } });
      expect(passed.failure?.summary).toBeUndefined();
      const failed = await runCase(suite, closeAfterPause, { 'echo-tcp': { ...mutant, transport: 'tcp' } });
      expect(failed.failure?.step?.description).toMatch(/^expect on the wire: the server ends with FIN/);
      expect(failed.failure?.summary).toMatch(/^expected the server to end main with FIN, never RST; the capture shows the server's RST at \d+\.\d ms$/);
      expect(failed.attribution?.rules).toEqual(['echo-tcp-orderly-close']);
      // The socket never saw it: the client had closed when the reset came.
      expect(failed.transcript.events.filter((e) => e.kind === 'rst-received' || e.kind === 'error')).toEqual([]);
      expect(failed.why?.join('\n')).toMatch(/the server sent RST after our FIN at \d+\.\d ms, not FIN: its kernel had acknowledged 16 byte\(s\) of ours and the server had sent 16/);
    } finally {
      await reference.close();
      await mutant.close();
    }
  }, 30_000);

  test("a lost first byte: the failure's why says the server's kernel took byte 0 and the echo started at byte 1", async () => {
    const server = await dropsFirstByte();
    try {
      const roundTrip = suite.cases.find((c) => c.id === 'round-trip');
      if (!roundTrip) throw new Error('echo-tcp has no round-trip case');
      const outcome = await runCase(suite, roundTrip, { 'echo-tcp': { ...server, transport: 'tcp' } }, { capture: { mode: 'failed' } });
      expect(outcome.verdict).toBe('fail');
      expect(outcome.why).toEqual(["on main, the server's kernel acknowledged byte 0 and its first data segment started at byte 1: byte 0 reached the server and never came back"]);
    } finally {
      await server.close();
    }
  }, 30_000);
});

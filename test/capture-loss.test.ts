import { spawn } from 'node:child_process';
import { PacketCapture } from '../harness/capture/packet-capture';
import { runCase } from '../harness/run/run-case';
import { REFERENCE_SERVERS } from '../harness/servers/catalog';
import { CaptureLoss } from '../harness/verdict/failure';
import { PYTHON } from '../fixtures/mutants/python';
import { bundledSuite } from './support/run-suite';
import { describeWithCapture } from './support/capture';

/**
 * A Python process that pushes `mib` MiB through a loopback connection to itself as fast as it
 * can: more than tcpdump's kernel buffer holds once this process stops reading tcpdump's pipe.
 */
function flood(mib: number): Promise<void> {
  const program = [
    'import socket, threading',
    'server = socket.create_server(("127.0.0.1", 0))',
    'def drain():',
    '    conn, _ = server.accept()',
    '    while conn.recv(1 << 20): pass',
    'reader = threading.Thread(target=drain); reader.start()',
    'client = socket.create_connection(server.getsockname())',
    'block = bytes(1 << 20)',
    `for _ in range(${mib}): client.sendall(block)`,
    'client.close(); reader.join()',
  ].join('\n');
  return new Promise((resolve, reject) => {
    const [python, ...flags] = PYTHON.split(' ');
    const child = spawn(python, [...flags, '-c', program], { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the flood exited with ${code}`))));
  });
}

/** Blocks this process's event loop, so that it reads nothing of tcpdump's pipe meanwhile. */
function blockFor(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describeWithCapture('a capture that lost packets', () => {
  afterEach(() => jest.restoreAllMocks());

  test("tcpdump's count of the packets its kernel buffer dropped: none on a quiet loopback, some once its reader stalls under a flood; a capture counts only its own time", async () => {
    const before = await PacketCapture.start();
    try {
      expect(await before.lost()).toBe(0);
      const flooding = flood(1024);
      // tcpdump's pipe fills, then its 256 MiB buffer: the kernel drops the rest of the flood.
      blockFor(3000);
      await flooding;
      expect(await before.lost()).toBeGreaterThan(0);
      const after = await PacketCapture.start();
      try {
        expect(await after.lost()).toBe(0);
      } finally {
        await after.stop();
      }
    } finally {
      await before.stop();
    }
  }, 60_000);

  describe('a wire check made meanwhile', () => {
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

    test('the case runs a second time, which decides it; the note says why', async () => {
      jest.spyOn(PacketCapture.prototype, 'lost').mockResolvedValueOnce(3);
      const outcome = await run();
      expect(outcome.verdict).toBe('pass');
      expect(outcome.notes[0]).toBe(
        "run a second time: the first run's packet capture could not be trusted (the packet capture lost 3 packet(s) while the case ran (tcpdump fell behind a busy machine), so it cannot tell what the server sent)",
      );
    }, 30_000);

    test('lost again: the case fails without evidence, and says no rule broken', async () => {
      jest.spyOn(PacketCapture.prototype, 'lost').mockResolvedValue(5);
      const outcome = await run();
      expect(outcome.failure).toBeInstanceOf(CaptureLoss);
      expect(outcome.failure?.summary).toMatch(/^the packet capture lost 5 packet\(s\) while the case ran/);
      expect(outcome.attribution).toEqual({ as: 'precondition', rules: [], notReached: ['echo-tcp-syn-options'] });
    }, 30_000);
  });
});

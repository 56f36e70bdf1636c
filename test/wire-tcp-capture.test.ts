import { runCase } from '../harness/run/run-case';
import { REFERENCE_SERVERS } from '../harness/servers/catalog';
import type { RunningServer } from '../harness/servers/running-server';
import { ZOO } from '../fixtures/mutants/zoo';
import { bundledSuite } from './support/run-suite';
import { describeWithCapture } from './support/capture';

describeWithCapture('flow control and SYN options on real captures', () => {
  const suite = bundledSuite('echo-tcp');
  const caseOf = (id: string) => {
    const found = suite.cases.find((c) => c.id === id);
    if (!found) throw new Error(`echo-tcp has no ${id} case`);
    return found;
  };
  const runOn = async (id: string, start: () => Promise<RunningServer>) => {
    const server = await start();
    try {
      return await runCase(suite, caseOf(id), { 'echo-tcp': { ...server, transport: 'tcp' } });
    } finally {
      await server.close();
    }
  };

  test('SYN options: the reference offers scaling and SACK; a server with a small SO_RCVBUF before listen fails with the options it offered', async () => {
    const passed = await runOn('syn-options', () => REFERENCE_SERVERS['echo-tcp'].start({}));
    expect(passed.failure?.summary).toBeUndefined();
    const failed = await runOn('syn-options', () => ZOO['echo-tcp']['tiny-receive-buffer'].start({}));
    expect(failed.failure?.summary).toMatch(/^expected the server's SYN-ACK on main to offer a window scale shift of at least 1; it offered MSS \d+, window scale 0, SACK permitted$/);
  }, 60_000);

  test("a client that does not read: the reference's window closes; a server ignoring write()'s return fails with what its kernel acknowledged", async () => {
    const passed = await runOn('client-not-reading', () => REFERENCE_SERVERS['echo-tcp'].start({}));
    expect(passed.failure?.summary).toBeUndefined();
    const failed = await runOn('client-not-reading', () => ZOO['echo-tcp']['ignores-backpressure'].start({}));
    expect(failed.failure?.step?.description).toBe('expect on the wire: the server closes its receive window within 16 MiB of ours');
    expect(failed.failure?.summary).toMatch(
      /^expected the server's kernel to close its receive window on main before it had acknowledged 16 MiB of ours; it acknowledged \d+ bytes \(\d+ zero-window advertisement\(s\), its last advertised window \d+ bytes(, closed since \d+\.\d ms)?\): the server reads on while what it sends backs up/,
    );
    expect(Number(/acknowledged (\d+) bytes/.exec(failed.failure?.summary ?? '')?.[1])).toBeGreaterThan(16 * 1024 * 1024);
    expect(failed.attribution?.rules).toEqual(['echo-tcp-flow-control']);
  }, 60_000);
});

import net from 'node:net';
import path from 'node:path';
import { runCase } from '../harness/run/run-case';
import { loadSuite } from '../harness/suite/load';
import { ROOT } from './support/cli';

const BURST = path.join(ROOT, 'fixtures', 'hostile', 'burst.suite.yaml');

test('a million steps that never wait still let the case deadline end the case', async () => {
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const suite = loadSuite(BURST);
    const port = (server.address() as net.AddressInfo).port;
    const outcome = await runCase(suite, { ...suite.cases[0], timeout: 300 }, { 'echo-tcp': { host: '127.0.0.1', port, transport: 'tcp' } });
    expect(outcome.verdict).toBe('fail');
    expect(outcome.failure?.message).toContain('the case deadline of 300 ms passed');
    // Unless each repeat round lets the event loop turn, the deadline's timer fires only once all
    // million sends are queued (over ten seconds here); the case then fails as late. The bound is
    // far from both, so load does not make it flaky.
    expect(outcome.durationMs).toBeLessThan(5_000);
  } finally {
    server.close();
  }
}, 120_000);

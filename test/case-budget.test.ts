import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { ResultsFile } from '../harness/report/results-json';
import { runCase } from '../harness/run/run-case';
import { loadSuite } from '../harness/suite/load';
import { ROOT, tempDir } from './support/cli';

const BURST = path.join(ROOT, 'fixtures', 'hostile', 'burst.suite.yaml');
const MARKING_ECHO = path.join(ROOT, 'fixtures', 'hostile', 'servers', 'echo-with-marker.js');
const BIN = path.join(ROOT, 'bin', 'sockspec.js');

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

test('Ctrl-C mid-burst: exit 130, reports written, nothing left running', async () => {
  const dir = tempDir();
  try {
    const marker = path.join(dir.path, 'burst-started');
    const reports = path.join(dir.path, 'reports');
    const cli = spawn(process.execPath, [BIN, 'run', '--suite', BURST, '--cmd', `${process.execPath} ${MARKING_ECHO} {port} ${marker}`, '--reports', reports], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      detached: true,
    });
    let stdout = '';
    cli.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
    let ended = false;
    void exited.then(() => (ended = true));
    while (!existsSync(marker) && !ended) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ended).toBe(false);
    process.kill(-(cli.pid as number), 'SIGINT');
    expect(await exited).toBe(130);

    expect(stdout).toMatch(/^INTERRUPTED {2}partial reports: /m);
    const results = JSON.parse(readFileSync(path.join(reports, 'results.json'), 'utf8')) as ResultsFile;
    expect(results.interrupted).toBe(true);
    expect(results.cases).toEqual([]);
    const left = execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' }).split('\n').filter((line) => line.includes(marker));
    expect(left).toEqual([]);
  } finally {
    dir.remove();
  }
}, 120_000);

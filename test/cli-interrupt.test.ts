import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ResultsFile } from '../harness/report/results-json';
import { ROOT, startInterruptible, tempDir } from './support/cli';
import { expectValidJunit } from './support/junit-schema';

/** A quick case, then one that sleeps 30 s. */
const SLOW = path.join(ROOT, 'fixtures', 'verdicts', 'slow.suite.yaml');
/** A million one-byte sends, 10 clients of 100000 rounds: steps that never wait for anything. */
const BURST = path.join(ROOT, 'fixtures', 'hostile', 'burst.suite.yaml');
const BURST_BYTES = 1_000_000;
const COUNTING_ECHO = path.join(ROOT, 'fixtures', 'hostile', 'servers', 'counting-echo.js');

/** Processes whose command line holds `text`, this test's own excepted. */
function processesWith(text: string): string[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(text) && !line.includes('ps -eo'));
}

test('Ctrl-C mid-case: exit 130, partial reports of the cases that ended, the running case not shown failed, nothing left running', async () => {
  const dir = tempDir();
  try {
    // The target is a command, so that "nothing left running" has something to check.
    const server = path.join(dir.path, 'interrupted-echo.js');
    writeFileSync(server, "require('net').createServer((s) => s.pipe(s)).listen(Number(process.argv[2]), '127.0.0.1');\n");
    const reports = path.join(dir.path, 'reports');
    const run = startInterruptible(['run', '--suite', SLOW, '--cmd', `${process.execPath} ${server} {port}`, '--reports', reports], /✓ slow\/quick/);
    await run.reached;
    run.interrupt();
    expect(await run.exited).toBe(130);

    expect(run.stdout()).toMatch(/^INTERRUPTED {2}partial reports: .*junit\.xml, results\.json, index\.html$/m);
    expect(run.stdout()).not.toMatch(/^✗/m);
    expect(run.stderr()).toContain('interrupted: stopping the target');
    const results = JSON.parse(readFileSync(path.join(reports, 'results.json'), 'utf8')) as ResultsFile;
    expect(results.interrupted).toBe(true);
    expect(results.cases.map((c) => [c.case, c.verdict])).toEqual([['quick', 'pass']]);
    expect(readFileSync(path.join(reports, 'index.html'), 'utf8')).toContain('slow/quick');
    const junit = readFileSync(path.join(reports, 'junit.xml'), 'utf8');
    expect(junit).toContain('<property name="interrupted" value="true"/>');
    expect(junit.match(/<testcase /g)).toHaveLength(1);
    expect(junit).toContain('name="quick: ');
    await expectValidJunit(junit);
    expect(processesWith(server)).toEqual([]);
  } finally {
    dir.remove();
  }
}, 60_000);

test('Ctrl-C mid-burst of steps that never wait: heard in the middle of the burst, not after it; exit 130, reports written, nothing left running', async () => {
  const dir = tempDir();
  try {
    const marker = path.join(dir.path, 'burst-started');
    const count = path.join(dir.path, 'bytes-received');
    const reports = path.join(dir.path, 'reports');
    const server = `${process.execPath} ${COUNTING_ECHO} {port} ${marker} ${count}`;
    const run = startInterruptible(['run', '--suite', BURST, '--cmd', server, '--reports', reports]);
    let ended = false;
    void run.exited.then(() => (ended = true));
    while (!existsSync(marker) && !ended) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ended).toBe(false);
    run.interrupt();
    expect(await run.exited).toBe(130);

    // Each send only queues its byte, which is written at once: unless the rounds let the event
    // loop turn (parallel.ts, repeat), the signal is handled only once all million are sent, and
    // the server, stopped after it, has received them all. Heard mid-burst, it was stopped with
    // a small part of them.
    expect(Number(readFileSync(count, 'utf8'))).toBeLessThan(BURST_BYTES / 2);
    expect(run.stdout()).toMatch(/^INTERRUPTED {2}partial reports: /m);
    const results = JSON.parse(readFileSync(path.join(reports, 'results.json'), 'utf8')) as ResultsFile;
    expect(results.interrupted).toBe(true);
    expect(results.cases).toEqual([]);
    expect(processesWith(marker)).toEqual([]);
  } finally {
    dir.remove();
  }
}, 120_000);

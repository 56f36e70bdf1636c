import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ResultsFile } from '../harness/report/results-json';
import { ROOT, tempDir } from './support/cli';
import { expectValidJunit } from './support/junit-schema';

const BIN = path.join(ROOT, 'bin', 'sockspec.js');
/** A quick case, then one that sleeps 30 s. */
const SLOW = path.join(ROOT, 'fixtures', 'verdicts', 'slow.suite.yaml');

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
    // In a process group of its own, as a terminal's foreground job; Ctrl-C signals the whole group.
    const cli = spawn(process.execPath, [BIN, 'run', '--suite', SLOW, '--cmd', `${process.execPath} ${server} {port}`, '--reports', reports], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      detached: true,
    });
    let stdout = '';
    const firstCase = new Promise<void>((resolve) =>
      cli.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('✓ slow/quick')) resolve();
      }),
    );
    let stderr = '';
    cli.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
    await firstCase;
    process.kill(-(cli.pid as number), 'SIGINT');
    expect(await exited).toBe(130);

    expect(stdout).toMatch(/^INTERRUPTED {2}partial reports: .*junit\.xml, results\.json, index\.html$/m);
    expect(stdout).not.toMatch(/^✗/m);
    expect(stderr).toContain('interrupted: stopping the target');
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

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, sockspec, tempDir } from './support/cli';
import type { ResultsFile } from '../harness/report/results-json';
import type { Baseline } from '../harness/report/baseline';

const RECV_ONCE = `python3 ${path.join(ROOT, 'fixtures', 'peers', 'recv-once-server.py')} {port}`;
const FLAKY = `python3 ${path.join(ROOT, 'fixtures', 'peers', 'flaky-echo.py')} {port}`;
/** Two cases the recv-once server passes and two it fails, so runs stay short. */
const SOME_CASES = ['--suite', 'echo-tcp', '--filter', 'echo-tcp (round-trip|size-1|size-1025|size-64k):'];

function results(dir: string): ResultsFile {
  return JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as ResultsFile;
}

describe('reports and gating for CI', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());
  const baseline = path.join(dir.path, 'baseline.json');

  test('results.json lists every case with its verdict, level and ref; index.html is written beside it', async () => {
    const run = await sockspec(['run', ...SOME_CASES, '--cmd', RECV_ONCE, '--reports', dir.path]);
    expect(run.code).toBe(1);
    const { format, totals, cases } = results(dir.path);
    expect(format).toBe(1);
    expect(totals).toMatchObject({ cases: 4, passed: 2, failed: 2 });
    expect(cases.find((c) => c.id === 'echo-tcp/size-1025')).toMatchObject({ verdict: 'fail', level: 'must', ref: 'RFC 862' });
    expect(cases.find((c) => c.id === 'echo-tcp/size-1025')?.transcript?.length).toBeGreaterThan(0);
    // The server's side: what it printed while the case ran, timed from the case's start.
    expect(cases.find((c) => c.id === 'echo-tcp/size-1025')?.serverOutput).toContainEqual(expect.stringMatching(/^\+\d+ ms {2}served 1024 bytes, then closed$/));
    expect(cases.find((c) => c.id === 'echo-tcp/round-trip')?.serverOutput).toBeUndefined();
    const junit = readFileSync(path.join(dir.path, 'junit.xml'), 'utf8');
    expect(junit).toMatch(/name="size-1025: [^"]*"[^>]*>\s*<failure[\s\S]*?<\/failure>\s*<system-out>[^<]*<\/system-out>\s*<system-err>server output while the case ran:\n\+\d+ ms {2}served 1024 bytes, then closed/);
    expect(readFileSync(path.join(dir.path, 'index.html'), 'utf8')).toContain('echo-tcp/size-1025');
  }, 60_000);

  test('--update-baseline writes the verdicts; with that baseline the known failures pass the run', async () => {
    const write = await sockspec(['run', ...SOME_CASES, '--cmd', RECV_ONCE, '--reports', dir.path, '--baseline', baseline, '--update-baseline']);
    expect(write.code).toBe(0);
    const written = JSON.parse(readFileSync(baseline, 'utf8')) as Baseline;
    expect(written.cases['echo-tcp/size-1025']).toEqual({ verdict: 'fail', reason: 'failing when the baseline was written' });
    expect(written.cases['echo-tcp/round-trip']).toEqual({ verdict: 'pass' });
    const gated = await sockspec(['run', ...SOME_CASES, '--cmd', RECV_ONCE, '--reports', dir.path, '--baseline', baseline]);
    expect(gated.stdout).toMatch(/known failures \(allowed by the baseline\):\n {2}echo-tcp\/size-1025/);
    expect(gated.code).toBe(0);
  }, 60_000);

  test('a new failure is a regression: exit 1', async () => {
    const edited = JSON.parse(readFileSync(baseline, 'utf8')) as Baseline;
    edited.cases['echo-tcp/size-64k'] = { verdict: 'pass' };
    const stricter = path.join(dir.path, 'stricter.json');
    writeFileSync(stricter, JSON.stringify(edited));
    const run = await sockspec(['run', ...SOME_CASES, '--cmd', RECV_ONCE, '--reports', dir.path, '--baseline', stricter]);
    expect(run.stdout).toMatch(/regressions \(expected to pass, failed\):\n {2}echo-tcp\/size-64k/);
    expect(run.code).toBe(1);
  }, 60_000);

  test('a case that starts passing is reported, and fails the run only with --fail-on-unexpected-pass', async () => {
    const args = ['run', ...SOME_CASES, '--reports', dir.path, '--baseline', baseline];
    const reported = await sockspec(args);
    expect(reported.stdout).toMatch(/unexpected passes[^\n]*:\n {2}echo-tcp\/size-1025/);
    expect(reported.code).toBe(0);
    expect((await sockspec([...args, '--fail-on-unexpected-pass'])).code).toBe(1);
  }, 60_000);

  test('--retries: a case that fails and then passes is flaky, in the summary, results and JUnit', async () => {
    // Ready by its log line: a connect probe would be the connection it resets.
    const run = await sockspec(['run', '--suite', 'echo-tcp', '--filter', 'echo-tcp round-trip:', '--cmd', FLAKY, '--ready-log', 'listening', '--retries', '2', '--reports', dir.path]);
    expect(run.stdout).toMatch(/flaky \(failed, then passed when run again\):\n {2}echo-tcp\/round-trip \(2 attempts\)/);
    expect(run.code).toBe(0);
    expect(readFileSync(path.join(dir.path, 'junit.xml'), 'utf8')).toMatch(/<flakyFailure message="failed 1 time\(s\) before passing"/);
  }, 60_000);

  test('--shard splits the suite files; sockspec merge joins the parts to the totals of one run', async () => {
    const whole = tempDir();
    const parts = [tempDir(), tempDir()];
    try {
      const suites = ['--suite', 'echo-udp', '--suite', 'tls-mtls', '--suite', 'lifecycle'];
      expect((await sockspec(['run', ...suites, '--reports', whole.path])).code).toBe(0);
      for (const [i, part] of parts.entries()) {
        expect((await sockspec(['run', ...suites, '--shard', `${i + 1}/2`, '--reports', part.path])).code).toBe(0);
      }
      const merged = tempDir();
      const merge = await sockspec(['merge', '--out', merged.path, ...parts.map((p) => p.path)]);
      expect(merge.code).toBe(0);
      const one = results(whole.path);
      const joined = results(merged.path);
      expect(joined.totals).toEqual(one.totals);
      expect(joined.cases.map((c) => c.id).sort()).toEqual(one.cases.map((c) => c.id).sort());
      const junit = readFileSync(path.join(merged.path, 'junit.xml'), 'utf8');
      expect(junit.match(/<testsuite /g)).toHaveLength(3);
      expect(junit).toMatch(new RegExp(`<testsuites name="sockspec" tests="${one.totals.cases}"`));
      merged.remove();
    } finally {
      whole.remove();
      parts.forEach((p) => p.remove());
    }
  }, 120_000);
});

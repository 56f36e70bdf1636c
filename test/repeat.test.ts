import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, sockspec, tempDir } from './support/cli';
import { runCase, type CaseOutcome } from '../harness/run/run-case';
import type { CaseSeed } from '../harness/run/seed';
import { REFERENCE_SERVERS } from '../harness/servers/catalog';
import type { ResultsFile } from '../harness/report/results-json';
import type { RunningServer } from '../harness/servers/running-server';
import type { Suite } from '../harness/suite/schema';
import type { Step } from '../harness/steps/registry';
import { chromium } from 'playwright-core';
import { combineRepetitions, type OutcomeRecord } from '../harness/report/outcome-record';
import { resultsOf } from '../harness/report/results-json';
import { mergeResults } from '../harness/report/merge';
import { writeHtmlReport } from '../harness/report/html';
import { describeWithPrograms } from './support/tools';

/** Resets the 1st, 3rd, 5th ... connection and echoes on the others: a case with one connection passes every other run. */
const EVERY_OTHER = `python3 ${path.join(ROOT, 'fixtures', 'peers', 'flaky-echo.py')} {port} 2`;
const ROUND_TRIP = ['--suite', 'echo-tcp', '--filter', 'echo-tcp round-trip:'];

function results(dir: string): ResultsFile {
  return JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as ResultsFile;
}

describe('--repeat', () => {
  const reports = tempDir();
  afterAll(() => reports.remove());

  test('the reference servers pass every run of every case of the fast suites (verdict stability)', async () => {
    const run = await sockspec(['run', '--suite', 'echo-tcp', '--suite', 'chat', '--suite', 'echo-udp', '--repeat', '5', '--reports', reports.path], { timeoutMs: 240_000 });
    expect(run.stdout).toContain('each case 5 times');
    const { cases } = results(reports.path);
    const notAllPassed = cases.filter((c) => c.runs !== 5 || c.passed !== 5).map((c) => `${c.id}: ${c.passed} of ${c.runs}`);
    expect({ notAllPassed, stdout: notAllPassed.length ? run.stdout : '' }).toEqual({ notAllPassed: [], stdout: '' });
    expect(cases.filter((c) => c.flaky)).toEqual([]);
    expect(cases.length).toBeGreaterThan(40);
    expect(run.stdout).toMatch(/^✓ echo-tcp\/round-trip {2}.* {2}passed 5 of 5 runs$/m);
    expect(run.code).toBe(0);
  }, 240_000);

  test('a case that passes some runs and fails others is flaky, fails the run, and every report says so', async () => {
    const run = await sockspec(['run', ...ROUND_TRIP, '--cmd', EVERY_OTHER, '--ready-log', 'listening', '--repeat', '4', '--seed', '11', '--reports', reports.path]);
    expect(run.stdout).toMatch(/^✗ echo-tcp\/round-trip {2}.* {2}flaky: passed 2 of 4 runs\n {4}failed 2 of 4 runs \(flaky\); the first failed run \(run 1\):\n/m);
    expect(run.stdout).toMatch(/^flaky \(passed some of their --repeat runs, failed others\):\n {2}echo-tcp\/round-trip: passed 2 of 4 runs$/m);
    expect(run.stdout).toMatch(/^echo-tcp .* {2}2\/4$/m);
    expect(run.code).toBe(1);

    const { seed, totals, cases } = results(reports.path);
    expect(seed).toBe(11);
    expect(totals).toMatchObject({ cases: 1, failed: 1, passed: 0 });
    expect(cases[0]).toMatchObject({ id: 'echo-tcp/round-trip', verdict: 'fail', runs: 4, passed: 2, flaky: true });
    // The reset can reach the client before its connect completes or just after it sends: both are the wire's truth.
    const reset = '(?:could not connect [^"\\n]*ECONNRESET|expected 12 B [^"\\n]*peer closed the connection \\(RST\\))';
    expect(cases[0].message).toMatch(/(?:ECONNRESET|\(RST\))[\s\S]*\nseed 11: sockspec run --seed 11 --filter 'echo-tcp round-trip:' replays it$/);

    const junit = readFileSync(path.join(reports.path, 'junit.xml'), 'utf8');
    expect(junit).toMatch(new RegExp(`<failure message="failed 2 of 4 runs \\(flaky\\); run 1: breaks rfc862-tcp-echo-back \\[must\\]: ${reset}[^"]*" type="sockspec.must">`));
    expect(junit).toMatch(/<system-out>ref: RFC 862\nruns: passed 2 of 4 \(flaky\)<\/system-out>/);
  }, 60_000);

  test('a --targets matrix runs every target with the same drawn seed and --repeat', async () => {
    const file = path.join(reports.path, 'sockspec.targets.yaml');
    const echo = `python3 ${path.join(ROOT, 'fixtures', 'peers', 'python-echo.py')} tcp {port}`;
    writeFileSync(file, ['targets:', '  - name: reference', '    target: builtin', '  - name: python', `    cmd: "${echo}"`, ''].join('\n'));
    const run = await sockspec(['run', '--targets', file, '--suite', 'echo-tcp', '--filter', 'echo-tcp size-1:', '--repeat', '2', '--reports', path.join(reports.path, 'matrix')]);
    expect(run.code).toBe(0);
    const [reference, python] = ['reference', 'python'].map((name) => results(path.join(reports.path, 'matrix', name)));
    expect(reference.seed).toEqual(expect.any(Number));
    expect(python.seed).toBe(reference.seed);
    expect([...reference.cases, ...python.cases].map((c) => [c.runs, c.passed])).toEqual([[2, 2], [2, 2]]);
  }, 60_000);

  test.each([['0'], ['101'], ['2.5'], ['five']])('--repeat %s is refused with a one-line error (exit 2)', async (value) => {
    const run = await sockspec(['run', ...ROUND_TRIP, `--repeat=${value}`]);
    expect(run.stderr).toBe(`error: --repeat takes a whole number from 1 to 100, not "${value}"\n`);
    expect(run.code).toBe(2);
  });

  test('--repeat with --retries is refused: one measures flakiness, the other hides it', async () => {
    const run = await sockspec(['run', ...ROUND_TRIP, '--repeat', '3', '--retries', '1']);
    expect(run.stderr).toMatch(/^error: --repeat and --retries do not go together: [^\n]*\n$/);
    expect(run.code).toBe(2);
  });
});

describe('--seed', () => {
  const reports = tempDir();
  afterAll(() => reports.remove());

  /** The first bytes of each chunk the random-payload case sent, from its transcript. */
  async function sentBytes(seed: string[]): Promise<{ seed?: number; sent: string[]; stdout: string }> {
    const run = await sockspec(['run', '--suite', 'echo-tcp', '--filter', 'echo-tcp size-1025:', '--transcripts', ...seed, '--reports', reports.path]);
    expect(run.code).toBe(0);
    const { seed: used, cases } = results(reports.path);
    const sent = (cases[0].transcript ?? []).filter((e) => e.kind === 'sent').map((e) => e.headHex ?? '');
    expect(sent.length).toBeGreaterThan(0);
    return { seed: used, sent, stdout: run.stdout };
  }

  test('the same seed sends the same random bytes, another seed other bytes; without one a random seed is printed', async () => {
    const first = await sentBytes(['--seed', '7']);
    const again = await sentBytes(['--seed', '7']);
    const other = await sentBytes(['--seed', '8']);
    expect(first.seed).toBe(7);
    expect(again.sent).toEqual(first.sent);
    expect(other.sent).not.toEqual(first.sent);
    const drawn = await sentBytes([]);
    expect(drawn.stdout).toContain(`, seed ${drawn.seed}\n`);
    const replayed = await sentBytes(['--seed', String(drawn.seed)]);
    expect(replayed.sent).toEqual(drawn.sent);
  }, 60_000);

  test.each([['-1'], ['4294967296'], ['1e3'], ['x']])('--seed %s is refused with a one-line error (exit 2)', async (value) => {
    const run = await sockspec(['run', ...ROUND_TRIP, `--seed=${value}`]);
    expect(run.stderr).toBe(`error: --seed takes a whole number from 0 to 4294967295, not "${value}"\n`);
    expect(run.code).toBe(2);
  });
});

describe('what a case run derives its random choices from', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await REFERENCE_SERVERS['echo-tcp'].start({});
  });
  afterAll(() => server.close());

  const suite: Suite = { file: '<test>', suite: 'steps', title: 't', service: 'echo-tcp', cases: [] };
  const steps = [{ faults: { toxics: [] } }, { connect: {} }, { send: { random: { bytes: 16 } } }, { expect: { sent: true } }];
  const c = { id: 'c', title: 't', requirement: 'r', ref: 'test', steps: steps as Step[] };
  const run = (seed?: CaseSeed) => runCase(suite, c, { 'echo-tcp': { host: '127.0.0.1', port: server.port, transport: 'tcp' } }, { stepTimeout: 1000, seed });
  const proxySeed = (outcome: CaseOutcome) => outcome.transcript.events.find((e) => e.detail?.startsWith('fault proxy'))?.detail?.replace(/.*, seed /, '');
  const sentHead = (outcome: CaseOutcome) => outcome.transcript.events.find((e) => e.kind === 'sent')?.head?.toString('hex');

  test('the fault proxy and random payloads take the run seed, the suite, the case and the repetition', async () => {
    const [first, firstAgain, second, otherRun, alone] = await Promise.all([run({ run: 7, repetition: 1 }), run({ run: 7, repetition: 1 }), run({ run: 7, repetition: 2 }), run({ run: 8, repetition: 1 }), run()]);
    for (const outcome of [first, firstAgain, second, otherRun, alone]) expect(outcome).toMatchObject({ verdict: 'pass' });
    expect([first, second, otherRun, alone].map(proxySeed)).toEqual(['"7/steps/c"', '"7/steps/c#2"', '"8/steps/c"', '"0/steps/c"']);
    expect(sentHead(firstAgain)).toBe(sentHead(first));
    expect(new Set([first, second, otherRun, alone].map(sentHead)).size).toBe(4);
    expect(second.seed).toEqual({ run: 7, repetition: 2 });
  });
});

describe('the runs of a case, joined', () => {
  const run = (repetition: number, verdict: 'pass' | 'fail', fields: Partial<OutcomeRecord> = {}): OutcomeRecord => ({
    suite: 'echo-tcp', caseId: 'round-trip', title: 't', level: 'must', ref: 'RFC 862', verdict, startedAt: 1_000 * repetition, durationMs: 10, notes: [], seed: 5, repetition,
    ...(verdict === 'fail' ? { summary: `reset ${repetition}`, message: `reset in run ${repetition}` } : {}),
    ...fields,
  });

  test('fail when any run failed, with the first failed run and the pass rate; all passed is no flaky pass', () => {
    const mixed = combineRepetitions([run(1, 'pass'), run(2, 'fail'), run(3, 'pass'), run(4, 'fail')]);
    expect(mixed).toMatchObject({ verdict: 'fail', runs: 4, passed: 2, startedAt: 1_000, durationMs: 40, summary: 'failed 2 of 4 runs (flaky); run 2: reset 2' });
    expect(mixed.message).toBe('failed 2 of 4 runs (flaky); the first failed run (run 2):\nreset in run 2');
    expect(mixed.repetition).toBeUndefined();
    const allFailed = combineRepetitions([run(1, 'fail'), run(2, 'fail')]);
    expect(allFailed).toMatchObject({ verdict: 'fail', runs: 2, passed: 0, summary: 'failed 2 of 2 runs; run 1: reset 1' });
    const allPassed = combineRepetitions([run(1, 'pass'), run(2, 'pass')]);
    expect(allPassed).toMatchObject({ verdict: 'pass', runs: 2, passed: 2 });
    expect(allPassed.message).toBeUndefined();
    const results = resultsOf([mixed, allPassed], 'builtin', false);
    expect(results.cases.map((c) => [c.runs, c.passed, c.flaky])).toEqual([[4, 2, true], [2, 2, undefined]]);
    expect(results.seed).toBe(5);
  });

  test('results.json marks a case --retries ran into a pass flaky too', () => {
    const retried = { ...run(2, 'pass'), repetition: undefined, flaky: { attempts: 2, firstFailure: 'reset' } };
    expect(resultsOf([retried], 'builtin', false).cases[0]).toMatchObject({ verdict: 'pass', flaky: true });
  });

  test('merged shards keep the seed they share, and have none when their seeds differ', () => {
    const shard = (seed: number, caseId: string) => resultsOf([run(1, 'pass', { seed, caseId, repetition: undefined })], 'builtin', false);
    expect(mergeResults([shard(3, 'a'), shard(3, 'b')]).seed).toBe(3);
    expect(mergeResults([shard(3, 'a'), shard(4, 'b')]).seed).toBeUndefined();
  });

  test('notes the same in every run are kept once; different ones say their run', () => {
    expect(combineRepetitions([run(1, 'pass', { notes: ['lost 0%'] }), run(2, 'pass', { notes: ['lost 0%'] })]).notes).toEqual(['lost 0%']);
    expect(combineRepetitions([run(1, 'pass', { notes: ['lost 0%'] }), run(2, 'pass', { notes: ['lost 2%'] })]).notes).toEqual(['run 1: lost 0%', 'run 2: lost 2%']);
  });

  describeWithPrograms(['chromium'], 'in the HTML report', () => {
    const dir = tempDir();
    afterAll(() => dir.remove());

    test('each case shows its pass rate, a mixed one says flaky, and the page names the seed', async () => {
      const records = [combineRepetitions([run(1, 'pass'), run(2, 'fail')]), combineRepetitions([run(1, 'pass', { caseId: 'size-1' }), run(2, 'pass', { caseId: 'size-1' })])];
      const file = writeHtmlReport(dir.path, resultsOf(records, 'builtin', false));
      const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
      try {
        const page = await browser.newPage();
        await page.goto(`file://${file}`);
        expect(await page.locator('#meta').textContent()).toContain(' · seed 5');
        expect(await page.locator('details.case', { hasText: 'echo-tcp/round-trip' }).locator('.level').textContent()).toBe('must · passed 1 of 2 runs (flaky) · 20 ms');
        expect(await page.locator('details.case', { hasText: 'echo-tcp/size-1' }).locator('.level').textContent()).toBe('must · passed 2 of 2 runs · 20 ms');
      } finally {
        await browser.close();
      }
    }, 60_000);
  });
});

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadSuite } from '../harness/suite/load';
import { loadProfile } from '../harness/suite/profile';
import { SuiteError } from '../harness/suite/suite-error';
import { StepFailure, SuiteUsageError } from '../harness/verdict/failure';
import { toRecord } from '../harness/report/outcome-record';
import { ROOT, sockspec, tempDir } from './support/cli';
import { runSteps } from './support/run-steps';

function problemsOf(file: string): [number, number, string][] {
  try {
    loadSuite(file);
  } catch (err) {
    if (err instanceof SuiteError) return err.problems.map((p) => [p.line, p.column, p.rule]);
    throw err;
  }
  throw new Error(`${file} loaded without error`);
}

describe('a step used where it cannot work is a load error, with file, line and column', () => {
  test("each kind's check and needs: transports, parameters that rule each other out, the place, the case's needs", () => {
    expect(problemsOf(path.join(ROOT, 'fixtures', 'suites', 'malformed', 'step-use.suite.yaml'))).toEqual([
      [12, 52, 'cases[0].steps[1].send.window: window is for TCP connections; this one is UDP'],
      [13, 42, 'cases[0].steps[2].expect.line: line checks are for TCP; on UDP expect datagrams (sent or a payload)'],
      [15, 54, 'cases[0].steps[4].expect.allowLoss: allowLoss is for UDP connections; this one is TCP'],
      [21, 25, 'cases[1].steps[0].connect.tls: tls.min (TLSv1.3) is above tls.max (TLSv1.2): such a client offers nothing'],
      [22, 43, 'cases[1].steps[1].expect-refused.hello: takes `tls` (a node:tls client) or `hello` (a hand-written ClientHello), not both'],
      [23, 83, 'cases[1].steps[2].expect-selection.never: never names suites hello.suites does not offer: TLS_RSA_WITH_RC4_128_MD5'],
      [24, 23, 'cases[1].steps[3].expect-lines: with no lines it needs `until`, the line that ends the read'],
      [25, 31, 'cases[1].steps[4].network.direction: a direction needs a condition (loss, rate or a netem one)'],
      [26, 29, 'cases[1].steps[5].network.reorder: reorder needs a delay to reorder against'],
      [27, 18, 'cases[1].steps[6].barrier: barrier synchronises the clients of a parallel step; this step is not inside one'],
      [34, 18, 'cases[2].steps[0].connect: connect needs "sni" of the target: list it under the case\'s needs, so that a target without it skips the case'],
      [35, 16, 'cases[2].steps[1].launch: launch needs "restart" of the target: list it under the case\'s needs, so that a target without it skips the case'],
      [43, 25, 'cases[3].steps[1].wait-for-sends.conn: wait-for-sends is for TCP connections; this one is UDP'],
      [44, 47, 'cases[3].steps[2].expect-idle-close.busy: busy names the idle connection itself; it must be another one'],
      [45, 47, 'cases[3].steps[3].expect-idle-close.busy: busy is for TCP connections; this one is UDP'],
    ]);
  });

  test("a chat profile's join regexes are compiled when it loads", () => {
    const dir = tempDir();
    try {
      const file = path.join(dir.path, 'bad.profile.yaml');
      writeFileSync(file, 'profile: bad\ntitle: t\njoin:\n  - send: HELLO\n  - expect: "WELCOME (x"\nvars: {}\n');
      expect(() => loadProfile(file)).toThrow(new SuiteUsageError(`${path.relative(process.cwd(), file)}:5:13: join[1].expect: not a valid regex: /WELCOME (x/u: Unterminated group`));
    } finally {
      dir.remove();
    }
  });
});

describe('a suite mistake found only while a case runs is an error, not a failed case', () => {
  test('the outcome carries it as a suite error: no failure, no rule charged', async () => {
    const outcome = await runSteps('echo-tcp', 1, [{ parallel: { clients: 2, steps: [{ close: { conn: 'other' } }] } }]);
    expect(outcome.verdict).toBe('fail');
    expect(outcome.failure).toBeUndefined();
    expect(outcome.attribution).toBeUndefined();
    // Inside a parallel step too, the mistake is reported as it is, at the nested step.
    expect(outcome.suiteError).toBeInstanceOf(SuiteUsageError);
    expect(outcome.suiteError).not.toBeInstanceOf(StepFailure);
    expect(toRecord(outcome)).toMatchObject({
      verdict: 'fail',
      suiteError: { message: 'a mistake in the suite, found at step 1.1 (close other): no connection named "other" (open: none); a connect step must come first' },
    });
    expect(toRecord(outcome).rule).toBeUndefined();
  });

  test('sockspec run: a JUnit <error> of type sockspec.suite, whatever the level, and exit code 2', async () => {
    const dir = tempDir();
    try {
      const run = await sockspec(['run', '--suite', path.join(ROOT, 'fixtures', 'verdicts', 'suite-mistake.suite.yaml'), '--reports', dir.path]);
      expect(run.stdout).toContain('a mistake in the suite, found at step 2 (close other): no connection named "other"');
      expect(run.code).toBe(2);
      const junit = readFileSync(path.join(dir.path, 'junit.xml'), 'utf8');
      expect(junit).toMatch(/<testsuite [^>]*name="suite-mistake"[^>]*failures="0"[^>]*errors="1"/);
      expect(junit).toMatch(/<error message="a mistake in the suite, found at step 2 \(close other\): [^"]*" type="sockspec.suite">/);
      expect(junit).not.toContain('<failure');
      // Counted apart from the server's failures, in the terminal and in results.json.
      expect(run.stdout).toMatch(/^! suite-mistake\/closes-other .* a mistake in the suite, not the server's failure$/m);
      expect(run.stdout).toMatch(/^suite-mistake {7}1 {7}0 {10}0 {8}0 {7}1 /m);
      expect(run.stdout).toContain('stopped by a mistake in the suite');
      expect(run.stdout).toMatch(/^ERROR  reports: /m);
      const results = JSON.parse(readFileSync(path.join(dir.path, 'results.json'), 'utf8'));
      expect(results.totals).toEqual({ cases: 2, passed: 1, failed: 0, tolerated: 0, skipped: 0, errors: 1 });
    } finally {
      dir.remove();
    }
  }, 60_000);
});

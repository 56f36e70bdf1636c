import { readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { loadSuite } from '../harness/suite/load';
import { SuiteError } from '../harness/suite/suite-error';
import { runCase, type CaseOutcome } from '../harness/run/run-case';
import { peerFit } from '../harness/run/peer-fit';
import { ClientProcess } from '../harness/targets/client-process';
import { clientCommandProblem } from '../harness/targets/client-command';
import { fixed } from '../harness/net/payload';
import { OUTPUT_BOUNDS } from '../harness/targets/output-tail';
import { ROOT, sockspec, tempDir } from './support/cli';
import { bundledSuite } from './support/run-suite';
import { timeline } from '../harness/verdict/timeline';
import { CLIENT_SUITES } from '../fixtures/clients';

/** The small echo client of test/support (first-read as a third word gives it a bug): a second correct client, besides the reference in fixtures/clients/echo. */
const CLIENT = `node ${path.join(ROOT, 'test', 'support', 'echo-client.js')} {host} {port}`;

async function runSuiteAgainst(bug?: string): Promise<CaseOutcome[]> {
  const suite = bundledSuite('echo-client');
  const outcomes: CaseOutcome[] = [];
  for (const c of suite.cases) outcomes.push(await runCase(suite, c, {}, { client: { command: bug ? `${CLIENT} ${bug}` : CLIENT } }));
  return outcomes;
}

/** A process's state letter from /proc (Z: dead, not yet reaped by whoever inherited it), or gone. */
function processState(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0];
  } catch {
    return 'gone';
  }
}

const explain = (outcomes: CaseOutcome[]) => outcomes.filter((o) => o.verdict === 'fail').map((o) => `${o.caseId}: ${o.failure?.summary ?? o.suiteError?.message}`).join('\n');

describe('the echo-client suite against a small client', () => {
  test('a client that keeps the contract passes every case', async () => {
    const outcomes = await runSuiteAgainst();
    expect(explain(outcomes)).toBe('');
  }, 120_000);

  test("a failed case says how the client exited and shows its stdout and stderr", async () => {
    const suite = bundledSuite('echo-client');
    const c = suite.cases.find((x) => x.id === 'one-byte-pieces')!;
    const outcome = await runCase(suite, c, {}, { client: { command: `${CLIENT} first-read` } });
    expect(outcome.failure?.summary).toMatch(/the client's stdout is not .*: 1 B printed, 12 B expected/);
    expect(outcome.failure?.details).toEqual(expect.arrayContaining(['client: exited, code 0', 'client stdout: 1 B']));
    expect(outcome.transcript.events.map((e) => `${e.conn} ${e.kind}`)).toEqual(expect.arrayContaining(['listener connected', 'main connected', 'client note']));
    expect(timeline(outcome.transcript, 100).join('\n')).toMatch(/ client +printed 1 B in 1 write on stdout {2}68\n/);
  }, 30_000);

  test("the timeline shows the client's stderr lines among the server side's events", async () => {
    const suite = bundledSuite('echo-client');
    const c = suite.cases.find((x) => x.id === 'connect-refused')!;
    const outcome = await runCase(suite, c, {}, { client: { command: CLIENT } });
    const lines = timeline(outcome.transcript, 100);
    expect(lines.filter((line) => / client +printed on stderr: /.test(line))).toEqual([expect.stringMatching(/printed on stderr: echo-client: .*ECONNREFUSED/)]);
    expect(lines.findIndex((line) => line.includes('printed on stderr'))).toBeGreaterThan(lines.findIndex((line) => line.includes('nothing listens on')));
  }, 30_000);
});

describe('client processes', () => {
  test('stdout is kept within the output bounds, and compared beyond them by its count and digest', async () => {
    const size = OUTPUT_BOUNDS.chars + 1000;
    const client = new ClientProcess('node', ['-e', `process.stdout.write(Buffer.alloc(${size}, 7))`]);
    await client.feed(fixed(Buffer.alloc(0), 'nothing'));
    await client.exited;
    const stdout = client.stdout();
    expect(stdout.kept.length).toBe(OUTPUT_BOUNDS.chars);
    expect(stdout.total).toBe(size);
    expect(stdout.sha256).toBe(createHash('sha256').update(Buffer.alloc(size, 7)).digest('hex'));
  });

  test('the whole process group is killed: a child the client left behind goes too', async () => {
    const client = new ClientProcess('sh', ['-c', 'sleep 30 & echo $!; wait']);
    const child = await new Promise<number>((resolve) => {
      const poll = setInterval(() => {
        const pid = Number(client.stdout().kept.toString().trim());
        if (pid) {
          clearInterval(poll);
          resolve(pid);
        }
      }, 20);
    });
    await client.kill();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(processState(child)).toMatch(/^(gone|Z)$/);
  });

  test('a command with no {port}, or an unterminated quote, is refused before anything starts', () => {
    expect(clientCommandProblem('nc localhost 7')).toMatch(/has no \{port\}/);
    expect(clientCommandProblem("nc '{host} {port}")).toMatch(/unterminated ' quote/);
    expect(clientCommandProblem('nc {host} {port}')).toBeUndefined();
  });
});

describe('a suite checks one side, and the target must be of that side', () => {
  test('client suites need a client target; the builtin default skips them with the reason', () => {
    expect(peerFit({ suite: 'echo-client', peer: 'client' }, 'client', true)).toEqual({});
    expect(peerFit({ suite: 'echo-client', peer: 'client' }, 'builtin', false).skipReason).toMatch(/no client was given/);
    expect(peerFit({ suite: 'echo-client', peer: 'client' }, 'command', false).mismatch).toMatch(/the echo-client suite checks a client, and the command target is a server/);
    expect(peerFit({ suite: 'echo-tcp' }, 'client', true).mismatch).toMatch(/the echo-tcp suite checks a server, and --client gives a client/);
  });

  test('against the builtin servers, a client suite is skipped in one line, with a record per case (once over the shards), and jest never loads it', async () => {
    const dir = tempDir();
    try {
      const run = await sockspec(['run', '--suite', 'echo-client', '--suite', 'udp-client', '--filter', 'round-trip|echo-client', '--reports', dir.path]);
      expect(run.code).toBe(0);
      const cases = bundledSuite('echo-client').cases.length;
      expect(run.stdout).toContain(`- echo-client: ${cases} case(s)  [skipped: a client suite, and no client was given`);
      // --filter selects the udp-client cases by title: only round-trip's.
      expect(run.stdout).toMatch(/^- udp-client: 1 case\(s\) {2}\[skipped: /m);
      expect(run.stdout).toContain('no case ran: every case --filter matched was skipped');
      const results = JSON.parse(readFileSync(path.join(dir.path, 'results.json'), 'utf8')) as { cases: Array<{ suite: string; verdict: string }> };
      expect(results.cases.filter((c) => c.verdict === 'skip')).toHaveLength(cases + 1);
      expect(readFileSync(path.join(dir.path, 'junit.xml'), 'utf8')).toMatch(/<skipped/);
      const second = await sockspec(['run', '--suite', 'echo-client', '--shard', '2/2', '--reports', path.join(dir.path, 'shard2')]);
      expect(second.stdout).not.toContain('- echo-client:');
      expect((JSON.parse(readFileSync(path.join(dir.path, 'shard2', 'results.json'), 'utf8')) as { cases: unknown[] }).cases).toEqual([]);
    } finally {
      dir.remove();
    }
  }, 60_000);

  test('the server-side steps in a server suite are load errors', () => {
    const dir = tempDir();
    try {
      const file = path.join(dir.path, 'wrong.suite.yaml');
      writeFileSync(
        file,
        [
          'suite: wrong',
          'title: server-side steps in a server suite',
          'service: echo-tcp',
          'cases:',
          '  - id: a',
          '    title: a',
          '    requirement: a',
          '    ref: a',
          '    steps:',
          '      - start-client: {}',
          '      - accept:',
          '      - expect: { stdin: true }',
          '      - expect-client-exit: { code: 0 }',
          '',
        ].join('\n'),
      );
      let problems: string[] = [];
      try {
        loadSuite(file);
      } catch (err) {
        if (!(err instanceof SuiteError)) throw err;
        problems = err.problems.map((p) => p.rule);
      }
      expect(problems).toEqual([
        'cases[0].steps[0].start-client: start-client is for client suites (peer: client)',
        'cases[0].steps[1].accept: accept is for client suites (peer: client); a server suite connects',
        'cases[0].steps[2].expect.stdin: stdin is for client suites (peer: client): the bytes start-client gave the client',
        'cases[0].steps[3].expect-client-exit: expect-client-exit is for client suites (peer: client)',
      ]);
    } finally {
      dir.remove();
    }
  });
});

describe('sockspec run with a client', () => {
  test('a server suite against --client, or a client suite against --cmd, is a usage error naming the mismatch', async () => {
    const server = await sockspec(['run', '--suite', 'echo-tcp', '--client', 'nc {host} {port}']);
    expect(server.code).toBe(2);
    expect(server.stderr).toMatch(/the echo-tcp suite checks a server, and --client gives a client/);
    const client = await sockspec(['run', '--suite', 'echo-client', '--cmd', 'nc -l {port}']);
    expect(client.code).toBe(2);
    expect(client.stderr).toMatch(/the echo-client suite checks a client, and the command target is a server/);
    const noSuite = await sockspec(['run', '--client', 'nc {host} {port}']);
    expect(noSuite.stderr).toMatch(/^error: --client needs --suite: a client speaks one service, and each client suite checks one \(client suites: client-backoff, client-timeouts, echo-client, tls-client, udp-client\)\n$/);
    expect(noSuite.code).toBe(2);
    const noPort = await sockspec(['run', '--suite', 'echo-client', '--client', 'nc localhost 7']);
    expect(noPort.stderr).toMatch(/--client: the client command has no \{port\}/);
  }, 60_000);

  test('--client runs the client suites against the command, with the verdicts in the summary', async () => {
    const dir = tempDir();
    try {
      // One client is one service's client: every client suite at once would hold the echo client to the UDP contract too.
      const result = await sockspec(['run', '--suite', 'echo-client', '--client', CLIENT, '--reports', dir.path]);
      expect(result.stdout).toMatch(/1 suite\(s\) against client: /);
      expect(result.code).toBe(0);
    } finally {
      dir.remove();
    }
  }, 120_000);

  test('a targets file of clients gives the matrix, and a baseline accepts a client\'s known failures and still catches a new one', async () => {
    const dir = tempDir();
    try {
      const { reference, mutants } = CLIENT_SUITES['echo-client'];
      const targets = path.join(dir.path, 'clients.yaml');
      writeFileSync(targets, ['targets:', '  - name: reference', `    client: "${reference}"`, '  - name: exits-0-on-reset', `    client: "${mutants['exits-0-on-reset'].command}"`, ''].join('\n'));
      const noSuites = await sockspec(['run', '--targets', targets]);
      expect(noSuites.stderr).toBe('error: target reference is a client, which speaks one service: give it its suites in the targets file (suites: [echo-client]) or run with --suite\n');
      expect(noSuites.code).toBe(2);
      const matrix = await sockspec(['run', '--targets', targets, '--suite', 'echo-client', '--filter', 'echo-client reset', '--reports', path.join(dir.path, 'matrix')]);
      expect(matrix.stdout).toMatch(/^echo-client\/reset-after-data +pass +FAIL$/m);
      expect(matrix.code).toBe(1);

      const baseline = path.join(dir.path, 'baseline.json');
      const mutant = ['run', '--client', mutants['exits-0-on-reset'].command, '--suite', 'echo-client', '--baseline', baseline, '--reports', path.join(dir.path, 'one')];
      const written = await sockspec([...mutant, '--filter', 'echo-client reset-after-data:', '--update-baseline']);
      expect(written.stdout).toContain('baseline written');
      expect((await sockspec([...mutant, '--filter', 'echo-client reset-after-data:'])).code).toBe(0);
      // reset-mid-stream fails too, and the baseline does not expect it to: a regression.
      const regression = await sockspec([...mutant, '--filter', 'echo-client reset']);
      expect(regression.stdout).toMatch(/regression[\s\S]*echo-client\/reset-mid-stream/);
      expect(regression.code).toBe(1);
    } finally {
      dir.remove();
    }
  }, 120_000);
});


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

/** The small echo client of test/support (a third word names the bug it has): what the echo-client suite is tried on here. */
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

const failed = (outcomes: CaseOutcome[]) => outcomes.filter((o) => o.verdict === 'fail').map((o) => o.caseId).sort();
const explain = (outcomes: CaseOutcome[]) => outcomes.filter((o) => o.verdict === 'fail').map((o) => `${o.caseId}: ${o.failure?.summary ?? o.suiteError?.message}`).join('\n');

describe('the echo-client suite against a small client', () => {
  test('a client that keeps the contract passes every case', async () => {
    const outcomes = await runSuiteAgainst();
    expect(explain(outcomes)).toBe('');
  }, 120_000);

  test.each([
    ['first-read', ['one-byte-pieces', 'pieces-with-pauses', 'random-payload', 'reset-after-data']],
    ['reset-ok', ['reset-after-data']],
    ['close', ['all-byte-values', 'one-byte-pieces', 'pieces-with-pauses', 'random-payload', 'reply-after-pause', 'long-pause', 'reset-after-data', 'round-trip'].sort()],
  ])('a client with the bug %s fails exactly its cases', async (bug, cases) => {
    const outcomes = await runSuiteAgainst(bug);
    expect(failed(outcomes)).toEqual(cases);
  }, 120_000);

  test("a failed case says how the client exited and shows its stdout and stderr", async () => {
    const suite = bundledSuite('echo-client');
    const c = suite.cases.find((x) => x.id === 'one-byte-pieces')!;
    const outcome = await runCase(suite, c, {}, { client: { command: `${CLIENT} first-read` } });
    expect(outcome.failure?.summary).toMatch(/the client's stdout is not .*: 1 B printed, 12 B expected/);
    expect(outcome.failure?.details).toEqual(expect.arrayContaining(['client: exited, code 0', 'client stdout: 1 B']));
    expect(outcome.transcript.events.map((e) => `${e.conn} ${e.kind}`)).toEqual(expect.arrayContaining(['listener connected', 'main connected', 'client note']));
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
    const noPort = await sockspec(['run', '--suite', 'echo-client', '--client', 'nc localhost 7']);
    expect(noPort.stderr).toMatch(/--client: the client command has no \{port\}/);
  }, 60_000);

  test('--client runs the client suites against the command, with the verdicts in the summary', async () => {
    const dir = tempDir();
    try {
      const result = await sockspec(['run', '--client', CLIENT, '--reports', dir.path]);
      // Every client suite: this echo client passes echo-client, and fails the suites of what it does
      // not do (client-backoff: it never retries); those that check a timeout skip their cases
      // when the client declares none.
      expect(result.stdout).toMatch(/\d+ suite\(s\) against client: /);
      expect(result.stdout).toMatch(/^echo-client +\d+ +0 +0 +0 /m);
      expect(result.stdout).toMatch(/- client-timeouts\/never-answers .*\[skipped: needs the timeout the client declares \(--client-timeout/);
    } finally {
      dir.remove();
    }
  }, 120_000);
});

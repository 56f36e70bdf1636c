/**
 * SLOW (about 3 to 4 minutes): the slow tier, not the quick developer loop.
 *
 * Steady verdicts (issue #17): the timing cases give the same verdicts on a loaded machine as on an
 * idle one. A CPU burner runs on every core while the reference servers and the mutants whose kills
 * are timing cases run those cases, three rounds over; then the whole builtin run, as the CLI runs
 * it (cases side by side), must pass every case once. The idle machine's verdicts are the ones
 * test/mutants.test.ts proves: the reference passes every case, each mutant fails exactly its
 * `kills`. A case whose verdict moves under load has a tolerance too tight for the machines
 * sockspec runs on: widen it in the suite, with the reason, not here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import type { Suite } from '../harness/suite/schema';
import type { RunningServer } from '../harness/servers/running-server';
import { REFERENCE_SERVERS } from '../harness/servers/catalog';
import { describeFailure } from '../harness/report/describe';
import { MUTANTS as TIMEOUTS } from '../fixtures/mutants/timeouts';
import { MUTANTS as CHAT } from '../fixtures/mutants/chat';
import { MUTANTS as ECHO_TCP } from '../fixtures/mutants/echo-tcp';
import { bundledSuite, failedIds, runEachCaseFresh } from './support/run-suite';
import { sockspec, tempDir } from './support/cli';

const ROUNDS = 3;

/** The cases that hold the server to a time, and the servers run against them under load. */
interface Subject {
  name: string;
  suite: Suite;
  start: () => Promise<RunningServer>;
  /** The verdict on an idle machine: the cases it fails. */
  fails: string[];
}

function only(suiteName: string, ids: readonly string[]): Suite {
  const suite = bundledSuite(suiteName);
  const cases = suite.cases.filter((c) => ids.includes(c.id));
  if (cases.length !== ids.length) throw new Error(`${suiteName} has no case among ${ids.join(', ')}`);
  return { ...suite, cases };
}

const reference = (suite: Suite) => () => REFERENCE_SERVERS[suite.service].start({});

// Every timeouts case is a timing case: idle timeouts within [T, T + 1 s], a fresh client served in 500 ms.
const timeouts = bundledSuite('timeouts');
// The chat cases with a time bound (a 1 s gap, messages in order within a deadline, a PONG after a fan-out).
const chatTiming = only('chat', ['pong-after-fan-out', 'slow-consumer', 'latency-member-order', 'sliced-lines', 'quit-after-messages']);
// The echo cases with a backlog to keep up with and connects allowed 500 ms (connect-burst) or 10 s,
// and a reader's pause of 1.5 s that a server's 1 s send timeout must not outlast.
const echoTiming = only('echo-tcp', ['concurrent-clients', 'connect-burst', 'idle-client', 'reader-pauses']);

/** The timeouts mutants whose kills are decided by a clock (the idle deadline), not by a stall. */
const TIMED_TIMEOUTS_MUTANTS = ['never-times-out', 'times-out-early', 'deadline-from-accept', 'keepalive-as-idle-timeout', 'sweeps-only-when-quiet', 'idle-timer-reset-by-lines'];

const SUBJECTS: Subject[] = [
  { name: 'timeouts reference', suite: timeouts, start: reference(timeouts), fails: [] },
  ...TIMED_TIMEOUTS_MUTANTS.map((name) => ({ name: `timeouts mutant ${name}`, suite: timeouts, start: () => TIMEOUTS[name].start({}), fails: TIMEOUTS[name].kills })),
  { name: 'chat reference', suite: chatTiming, start: reference(chatTiming), fails: [] },
  {
    name: 'chat mutant coalesced-messages',
    suite: chatTiming,
    start: () => CHAT['coalesced-messages'].start({}),
    fails: CHAT['coalesced-messages'].kills.filter((id) => chatTiming.cases.some((c) => c.id === id)),
  },
  { name: 'echo-tcp reference', suite: echoTiming, start: reference(echoTiming), fails: [] },
  { name: 'echo-tcp mutant send-timeout', suite: echoTiming, start: () => ECHO_TCP['send-timeout'].start({}), fails: ECHO_TCP['send-timeout'].kills },
];

/** One busy Node process per core, for as long as the test runs. */
function startBurners(): ChildProcess[] {
  return Array.from({ length: os.availableParallelism() }, () => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' }));
}

describe('verdicts under load', () => {
  let burners: ChildProcess[] = [];
  beforeAll(() => {
    burners = startBurners();
  });
  afterAll(() => {
    for (const burner of burners) burner.kill('SIGKILL');
  });

  test('the burners keep every core busy', () => {
    expect(burners.every((b) => b.exitCode === null && b.pid !== undefined)).toBe(true);
  });

  test.each(Array.from({ length: ROUNDS }, (_, i) => i + 1))(
    'round %i: every server fails exactly the cases it fails on an idle machine',
    async () => {
      // The subjects run side by side, as in the mutant tests; the cases that must run alone
      // (slow-clients, slow-consumer, concurrent-clients, connect-burst) still run one at a time.
      const verdicts = await Promise.all(
        SUBJECTS.map(async (subject) => {
          const outcomes = await runEachCaseFresh(subject.suite, subject.start);
          const failed = failedIds(outcomes);
          const unexpected = outcomes.filter((o) => o.verdict === 'fail' && !subject.fails.includes(o.caseId)).map(describeFailure);
          return { name: subject.name, failed, unexpected };
        }),
      );
      expect(verdicts.map((v) => ({ name: v.name, failed: v.failed, unexpected: v.unexpected }))).toEqual(
        SUBJECTS.map((s) => ({ name: s.name, failed: [...s.fails].sort(), unexpected: [] })),
      );
    },
    120_000,
  );

  // The CLI's own way: suite files side by side, and the cases of a sideBySide suite side by side
  // in their worker (a network case in a namespace of its own), the alone ones afterwards.
  test('the whole builtin run, cases side by side, passes every case', async () => {
    const reports = tempDir();
    try {
      const run = await sockspec(['run', '--reports', reports.path], { timeoutMs: 240_000 });
      const failed = run.stdout.split('\n').filter((line) => /^[✗~] /.test(line));
      expect({ code: run.code, failed }).toEqual({ code: 0, failed: [] });
    } finally {
      reports.remove();
    }
  }, 300_000);
});

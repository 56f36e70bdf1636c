import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadSuite } from '../harness/suite/load';
import { SuiteError } from '../harness/suite/suite-error';
import { runCase, type CaseOutcome } from '../harness/run/run-case';
import { REFERENCE_CLIENT } from '../fixtures/clients/udp/index';
import { tempDir } from './support/cli';
import { bundledSuite } from './support/run-suite';

/** A suite of one case from its header lines and steps, loaded from a temporary file. */
function withSuite<T>(header: string[], steps: string[], use: (file: string) => T): T {
  const dir = tempDir();
  try {
    const file = path.join(dir.path, 'udp.suite.yaml');
    writeFileSync(file, [...header, 'cases:', '  - id: a', '    title: a', '    requirement: a', '    ref: a', '    steps:', ...steps.map((s) => `      - ${s}`), ''].join('\n'));
    return use(file);
  } finally {
    dir.remove();
  }
}

function loadProblems(header: string[], steps: string[]): string[] {
  return withSuite(header, steps, (file) => {
    try {
      loadSuite(file);
      return [];
    } catch (err) {
      if (!(err instanceof SuiteError)) throw err;
      return err.problems.map((p) => p.rule);
    }
  });
}

const UDP_CLIENT_SUITE = ['suite: udp', 'title: udp', 'service: echo-udp', 'peer: client'];

async function runOne(steps: string[], command = REFERENCE_CLIENT): Promise<CaseOutcome> {
  const file = withSuite(UDP_CLIENT_SUITE, steps, (f) => loadSuite(f));
  return runCase(file, file.cases[0], {}, { client: { command } });
}

const POLICY = 'retransmit: { rto: 200ms, multiplier: 2, tries: 2 }';

describe('the UDP server-side steps are load errors where they cannot work', () => {
  test('in a TCP client suite, and accept in a UDP one; retransmit is for a UDP client; giveUp counts for itself', () => {
    expect(
      loadProblems(
        ['suite: tcp', 'title: tcp', 'service: echo-tcp', 'peer: client'],
        [`start-client: { ${POLICY} }`, 'receive-datagram:', 'send-datagram:', 'drop-datagram:', 'expect-no-new-request: { for: 1s }', 'expect-retransmissions: { tolerance: { early: 1ms, late: 1ms } }'],
      ),
    ).toEqual([
      'cases[0].steps[0].start-client.retransmit: retransmit is the policy of a UDP client: its suite is of a UDP service',
      'cases[0].steps[1].receive-datagram: receive-datagram is for client suites of a UDP service (peer: client)',
      'cases[0].steps[2].send-datagram: send-datagram is for client suites of a UDP service (peer: client)',
      'cases[0].steps[3].drop-datagram: drop-datagram is for client suites of a UDP service (peer: client)',
      'cases[0].steps[4].expect-no-new-request: expect-no-new-request is for client suites of a UDP service (peer: client)',
      'cases[0].steps[5].expect-retransmissions: expect-retransmissions is for client suites of a UDP service (peer: client)',
    ]);
    expect(
      loadProblems(UDP_CLIENT_SUITE, [
        'start-client:',
        'accept:',
        'receive-datagram: { text: a, hex: "61" }',
        'expect-retransmissions: { giveUp: true, count: 2, tolerance: { early: 1ms, late: 1ms } }',
      ]),
    ).toEqual([
      'cases[0].steps[1].accept: accept takes a TCP connection: a UDP client suite has receive-datagram',
      'cases[0].steps[2].receive-datagram: receive-datagram takes at most one payload form: text, hex, base64, random or counter',
      'cases[0].steps[3].expect-retransmissions: with giveUp the count is the rest of the declared tries: leave count out',
    ]);
  });
});

describe('the UDP server side at run time', () => {
  test('every datagram is an event of its own on the transcript, with its time, and the drop too', async () => {
    const outcome = await runOne([
      `start-client: { stdin: { text: "ping\\n" }, ${POLICY} }`,
      'receive-datagram: { text: "ping\\n" }',
      'drop-datagram:',
      'expect-retransmissions: { tolerance: { early: 100ms, late: 400ms } }',
      'send-datagram:',
      'expect-client-exit: { code: 0, within: 1s, stdout: sent }',
    ]);
    expect(outcome.failure?.summary).toBeUndefined();
    const events = outcome.transcript.events.filter((e) => e.conn === 'listener' && e.kind !== 'note' || /dropped/.test(e.detail ?? ''));
    expect(events.map((e) => `${e.kind} ${e.detail?.replace(/:\d+/, ':PORT')}`)).toEqual([
      'received datagram 1 from 127.0.0.1:PORT',
      'note datagram 1 dropped: no reply',
      'received datagram 2 from 127.0.0.1:PORT',
      'sent reply to datagram 2 to 127.0.0.1:PORT',
    ]);
    const [first, second] = events.filter((e) => e.kind === 'received');
    expect(second.at - first.at).toBeGreaterThan(150);
    expect(outcome.notes.some((n) => /transmission 2 \+\d+ ms \(declared 200\)/.test(n))).toBe(true);
  }, 30_000);

  test('a step that needs what no step before it made is a suite error, not the client failing', async () => {
    // The client's own policy (the reference's defaults): the command needs none from the case.
    const fixedPolicy = REFERENCE_CLIENT.replace(' {rto} {rto-multiplier} {rto-tries}', '');
    const noPolicy = await runOne(['start-client: { stdin: { text: "ping\\n" } }', 'receive-datagram:', 'expect-retransmissions: { tolerance: { early: 1ms, late: 1ms } }'], fixedPolicy);
    expect(noPolicy.suiteError?.message).toBe('expect-retransmissions checks the policy start-client gave the client: give start-client a retransmit');
    const noRequest = await runOne([`start-client: { stdin: { text: "ping\\n" }, ${POLICY} }`, 'send-datagram:']);
    expect(noRequest.suiteError?.message).toBe('send-datagram needs a datagram from the client: a receive-datagram step must come first');
    const pastTries = await runOne([`start-client: { stdin: { text: "ping\\n" }, ${POLICY} }`, 'receive-datagram:', 'expect-retransmissions: { count: 2, tolerance: { early: 1ms, late: 1ms } }']);
    expect(pastTries.suiteError?.message).toBe('transmission 3 of a request is past the 2 tries start-client declared');
  }, 30_000);

  test('a command that uses {rto} in a case that gives no policy cannot run', async () => {
    const outcome = await runOne(['start-client: { stdin: { text: "ping\\n" } }']);
    expect(outcome.suiteError?.message).toMatch(/the client command uses \{rto\}, \{rto-multiplier\}, \{rto-tries\}, which this case does not give/);
  });

  test('the udp-client suite gives every case the same policy, the one docs/client-contract.md §5.1.2 states', () => {
    const policies = bundledSuite('udp-client').cases.map((c) => JSON.stringify((c.steps[0] as { 'start-client': { retransmit?: unknown } })['start-client'].retransmit));
    expect(new Set(policies)).toEqual(new Set([JSON.stringify({ rto: '1s', multiplier: 2, tries: 4 })]));
  });
});

import { CASES, REAL_CLIENTS, type RealClient } from '../fixtures/clients/backoff/real-clients';
import { PYTHON } from '../fixtures/mutants/python';
import { runCase, type CaseOutcome } from '../harness/run/run-case';
import { attemptCaptureSkip } from '../harness/run/network-needs';
import { bundledSuite } from './support/run-suite';
import { clientContract, verdictTable } from './support/verdict-table';
import { describeWithPrograms } from './support/tools';

/**
 * Common programs that retry, through the client-backoff suite: each case's outcome named (`pass`
 * or what went wrong), which must be the verdict fixtures/clients/backoff/real-clients.ts records
 * and docs/client-contract.md §7.4 shows.
 */

const suite = bundledSuite('client-backoff');
const captureMissing = suite.cases.map(attemptCaptureSkip).find((why) => why !== undefined);

/** What went wrong, from the check that failed. */
function verdict(outcome: CaseOutcome): string {
  if (outcome.verdict !== 'fail') return outcome.verdict;
  const summary = outcome.failure?.summary ?? '';
  if (/did not exit within/.test(summary)) return 'hangs';
  if (/the delay before attempt/.test(summary)) return 'delays off the policy';
  if (/retried in lock-step/.test(summary)) return 'retries in lock-step';
  if (/made no connection/.test(summary)) return 'no connection';
  if (/connection attempt\(s\), \d+ expected/.test(summary)) return 'attempts off the policy';
  if (/expected a clean close \(FIN\)/.test(summary)) return 'no half-close';
  // The connection the server side took carried nothing and ended: one the client had given up.
  if (/received 0 B then the peer closed the connection/.test(summary)) return 'timed-out attempt connects';
  return summary;
}

function probeClient(name: string, client: RealClient): void {
  test(`${name}: ${CASES.map((id) => `${id} ${client.verdicts[id]}`).join(', ')}`, async () => {
    const command = client.command.replace(/^python3 -S /, `${PYTHON} `);
    const outcomes = await Promise.all(CASES.map((id) => runCase(suite, suite.cases.find((c) => c.id === id)!, {}, { client: { command } })));
    expect(Object.fromEntries(outcomes.map((o) => [o.caseId, verdict(o)]))).toEqual(client.verdicts);
  }, 60_000);
}

if (captureMissing && process.env.CI === 'true') {
  test('can record connection attempts', () => {
    throw new Error(`${captureMissing}: required in CI`);
  });
} else if (captureMissing) {
  test.skip(`real clients [skipped: ${captureMissing}]`, () => undefined);
} else {
  for (const [name, client] of Object.entries(REAL_CLIENTS)) describeWithPrograms(client.programs, name, () => probeClient(name, client));
}

/** docs/client-contract.md §7.4: the verdicts, as the table above makes them. */

test('docs/client-contract.md shows the verdicts the test asserts', () => {
  expect(clientContract()).toContain(verdictTable(CASES, REAL_CLIENTS));
});

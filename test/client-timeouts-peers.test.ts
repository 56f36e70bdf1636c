import { CASES, PROBE_TIMEOUT, REAL_CLIENTS, type RealClient } from '../fixtures/clients/timing/real-clients';
import { PYTHON } from '../fixtures/mutants/python';
import { runCase, type CaseOutcome } from '../harness/run/run-case';
import { synDropSkip } from '../harness/run/network-needs';
import { clientTimeoutMs } from '../harness/targets/client-command';
import { bundledSuite } from './support/run-suite';
import { clientContract, verdictTable } from './support/verdict-table';
import { describeWithPrograms } from './support/tools';

/**
 * Common programs with a timeout through the client-timeouts suite: each case's outcome named
 * (`pass` or what went wrong), which must be the verdict fixtures/clients/timing/real-clients.ts
 * records and docs/client-contract.md §6.5 shows.
 */

const suite = bundledSuite('client-timeouts');
const synDropMissing = suite.cases.map(synDropSkip).find((why) => why !== undefined);

/** What went wrong, from the check that failed (steps/expect-client-exit.ts words them). */
function verdict(outcome: CaseOutcome): string {
  if (outcome.verdict !== 'fail') return outcome.verdict;
  const summary = outcome.failure?.summary ?? '';
  if (/did not give up/.test(summary)) return 'hangs';
  if (/before its declared timeout/.test(summary)) return 'gives up early';
  if (/exited with code 0/.test(summary)) return 'exits 0';
  if (/stderr does not match/.test(summary)) return 'wrong stderr';
  return summary;
}

function probeClient(name: string, client: RealClient): void {
  const cases = CASES.filter((id) => !(id === 'syn-dropped' && synDropMissing));
  test(`${name}: ${cases.map((id) => `${id} ${client.verdicts[id]}`).join(', ')}`, async () => {
    const command = client.command.replace(/^python3 -S /, `${PYTHON} `);
    const timeoutMs = clientTimeoutMs(PROBE_TIMEOUT) as number;
    const outcomes = await Promise.all(cases.map((id) => runCase(suite, suite.cases.find((c) => c.id === id)!, {}, { client: { command, timeoutMs } })));
    expect(Object.fromEntries(outcomes.map((o) => [o.caseId, verdict(o)]))).toEqual(Object.fromEntries(cases.map((id) => [id, client.verdicts[id]])));
  }, 60_000);
}

if (synDropMissing && process.env.CI === 'true') {
  test('can drop SYNs in a network namespace', () => {
    throw new Error(`syn-dropped ${synDropMissing}: required in CI`);
  });
} else if (synDropMissing) {
  test.skip(`syn-dropped [skipped: ${synDropMissing}]`, () => undefined);
}

for (const [name, client] of Object.entries(REAL_CLIENTS)) describeWithPrograms(client.programs, name, () => probeClient(name, client));

/** docs/client-contract.md §6.5: the verdicts, as the table above makes them. */

test('docs/client-contract.md shows the verdicts the test asserts', () => {
  expect(clientContract()).toContain(verdictTable(CASES, REAL_CLIENTS));
});

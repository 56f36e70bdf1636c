import { runCase, type CaseOutcome } from '../harness/run/run-case';
import { describeFailure } from '../harness/report/describe';
import { CLIENT_SUITES } from '../fixtures/clients';
import { bundledSuite, failedIds, misattributed } from './support/run-suite';

/** A client's run of a whole suite; several run at once on a shared 2-core machine, and echo-client's long-pause alone waits 6 s. */
const CLIENT_RUN_BUDGET_MS = 180_000;

async function runSuite(suiteName: string, command: string): Promise<CaseOutcome[]> {
  const suite = bundledSuite(suiteName);
  const outcomes: CaseOutcome[] = [];
  for (const c of suite.cases) outcomes.push(await runCase(suite, c, {}, { client: { command } }));
  return outcomes;
}

/** The proof that every case of every client suite can fail: the reference client passes all, each mutant client fails exactly its cases. */
describe.each(Object.entries(CLIENT_SUITES))('%s suite against its reference and mutant clients', (suiteName, { reference, mutants }) => {
  const suite = bundledSuite(suiteName);

  test('the reference client passes every case', async () => {
    const failures = (await runSuite(suiteName, reference)).filter((o) => o.verdict === 'fail').map(describeFailure);
    expect(failures).toEqual([]);
  }, CLIENT_RUN_BUDGET_MS);

  test.concurrent.each(Object.entries(mutants))('mutant client %s fails exactly its cases, each at a check of a rule it breaks', async (_name, mutant) => {
    const outcomes = await runSuite(suiteName, mutant.command);
    expect(failedIds(outcomes)).toEqual([...mutant.kills].sort());
    expect(misattributed(outcomes, mutant.breaks)).toEqual([]);
  }, CLIENT_RUN_BUDGET_MS);

  test('every case is killed by a mutant client or says why none can', () => {
    const killed = new Set(Object.values(mutants).flatMap((m) => m.kills));
    expect(suite.cases.filter((c) => !killed.has(c.id) && !c.noMutant).map((c) => c.id)).toEqual([]);
    expect([...killed].filter((id) => !suite.cases.some((c) => c.id === id))).toEqual([]);
  });
});

import { runCase, type CaseOutcome } from '../../harness/run/run-case';
import { describeFailure } from '../../harness/report/describe';
import { bundledSuite, failedIds, misattributed, unexpectedFailures, withoutMayFail } from './run-suite';
import { CLIENT_SUITES } from '../../fixtures/clients';

/** Every case of a client suite against one client command, in order, as `--client` runs them. */
export async function runClientSuite(suiteName: string, command: string): Promise<CaseOutcome[]> {
  const suite = bundledSuite(suiteName);
  const outcomes: CaseOutcome[] = [];
  for (const c of suite.cases) outcomes.push(await runCase(suite, c, {}, { client: { command } }));
  return outcomes;
}

/**
 * The proof that every case of a client suite can fail: the reference client passes all, each
 * mutant client fails exactly the cases its table lists, each at a check of a rule it breaks, and
 * every case is some mutant's. Cases this machine cannot run (fixtures/clients/index.ts `skip`:
 * root, nftables, tcpdump) are left out of every list, with the reason; in CI (CI=true) that is a
 * failure.
 */
export function proveClientSuite(suiteName: string, budgetMs: number): void {
  const { reference, mutants, client, skip } = CLIENT_SUITES[suiteName];
  const suite = bundledSuite(suiteName);
  const reasons = suite.cases.map((c) => skip?.(c)).filter((why): why is string => why !== undefined);
  const runnable = suite.cases.filter((c) => skip?.(c) === undefined);
  const runnableIds = (ids: readonly string[]) => ids.filter((id) => runnable.some((c) => c.id === id)).sort();

  async function runSuite(command: string): Promise<CaseOutcome[]> {
    const outcomes: CaseOutcome[] = [];
    for (const c of runnable) outcomes.push(await runCase(suite, c, {}, { client: { ...client, command } }));
    return outcomes;
  }

  if (reasons.length > 0 && process.env.CI === 'true') {
    test('can run every case', () => {
      throw new Error(`${reasons[0]}: required in CI`);
    });
  } else if (reasons.length > 0) {
    test.skip(`${suite.cases.length - runnable.length} case(s) [skipped: ${reasons[0]}]`, () => undefined);
  }

  test('the reference client passes every case', async () => {
    const failures = (await runSuite(reference)).filter((o) => o.verdict === 'fail').map(describeFailure);
    expect(failures).toEqual([]);
  }, budgetMs);

  test.concurrent.each(Object.entries(mutants))('mutant client %s fails exactly its cases, each at a check of a rule it breaks', async (_name, mutant) => {
    const outcomes = withoutMayFail(await runSuite(mutant.command), mutant.mayFail);
    // The failures of cases it should pass, in full: on a loaded machine, the first thing to read.
    expect(unexpectedFailures(outcomes, mutant.kills)).toEqual([]);
    expect(failedIds(outcomes)).toEqual(runnableIds(mutant.kills));
    expect(misattributed(outcomes, mutant.breaks)).toEqual([]);
  }, budgetMs);

  test('every case is killed by a mutant client or says why none can', () => {
    const killed = new Set(Object.values(mutants).flatMap((m) => m.kills));
    expect(suite.cases.filter((c) => !killed.has(c.id) && !c.noMutant).map((c) => c.id)).toEqual([]);
    expect([...killed].filter((id) => !suite.cases.some((c) => c.id === id))).toEqual([]);
  });
}

import { existsSync } from 'node:fs';
import path from 'node:path';
import { runCase, type CaseOutcome } from '../harness/run/run-case';
import { describeFailure } from '../harness/report/describe';
import { ROOT } from './support/cli';
import { bundledSuite, failedIds, misattributed } from './support/run-suite';

/** fixtures/clients/echo/index.ts as this test reads it: the reference client and the mutant clients' table. */
interface ClientTable {
  REFERENCE_CLIENT: string;
  MUTANT_CLIENTS: Record<string, { bug: string; breaks: string[]; command: string; kills: string[] }>;
}

/**
 * The table is written beside the clients (fixtures/clients/echo/) and read here by its path, so
 * that this file compiles before the clients are part of the checkout; without them the proof is
 * skipped, and test/client-target.test.ts checks the suite against a small client of its own.
 */
const TABLE_FILE = path.join(ROOT, 'fixtures', 'clients', 'echo', 'index.ts');
const table = existsSync(TABLE_FILE) ? (require(TABLE_FILE) as ClientTable) : undefined;

/** A client's run of the whole suite; several run at once on a shared 2-core machine, and long-pause alone waits 6 s. */
const CLIENT_RUN_BUDGET_MS = 180_000;

async function runSuite(command: string): Promise<CaseOutcome[]> {
  const suite = bundledSuite('echo-client');
  const outcomes: CaseOutcome[] = [];
  for (const c of suite.cases) outcomes.push(await runCase(suite, c, {}, { client: { command } }));
  return outcomes;
}

/** The proof that every echo-client case can fail: the reference client passes all, each mutant client fails exactly its cases. */
(table ? describe : describe.skip)('echo-client suite against the reference and mutant clients', () => {
  const { REFERENCE_CLIENT, MUTANT_CLIENTS } = table as ClientTable;
  const suite = bundledSuite('echo-client');

  test('the reference client passes every case', async () => {
    const failures = (await runSuite(REFERENCE_CLIENT)).filter((o) => o.verdict === 'fail').map(describeFailure);
    expect(failures).toEqual([]);
  }, CLIENT_RUN_BUDGET_MS);

  test.concurrent.each(Object.entries(MUTANT_CLIENTS))('mutant client %s fails exactly its cases, each at a check of a rule it breaks', async (_name, mutant) => {
    const outcomes = await runSuite(mutant.command);
    expect(failedIds(outcomes)).toEqual([...mutant.kills].sort());
    expect(misattributed(outcomes, mutant.breaks)).toEqual([]);
  }, CLIENT_RUN_BUDGET_MS);

  test('every case is killed by a mutant client or says why none can', () => {
    const killed = new Set(Object.values(MUTANT_CLIENTS).flatMap((m) => m.kills));
    expect(suite.cases.filter((c) => !killed.has(c.id) && !c.noMutant).map((c) => c.id)).toEqual([]);
    expect([...killed].filter((id) => !suite.cases.some((c) => c.id === id))).toEqual([]);
  });
});

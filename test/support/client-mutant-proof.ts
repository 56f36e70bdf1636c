import { existsSync } from 'node:fs';
import path from 'node:path';
import { runCase, type CaseOutcome } from '../../harness/run/run-case';
import { describeFailure } from '../../harness/report/describe';
import { ROOT } from './cli';
import { bundledSuite, failedIds, misattributed } from './run-suite';

/** A client suite's table, as fixtures/clients/<service>/index.ts writes it: the reference client and the mutant clients. */
interface ClientTable {
  REFERENCE_CLIENT: string;
  MUTANT_CLIENTS: Record<string, { bug: string; breaks: string[]; command: string; kills: string[] }>;
}

/**
 * The proof that every case of a client suite can fail: the reference client passes all, each
 * mutant client fails exactly its cases, each at a check of a rule it breaks. The table is read by
 * its path (fixtures/clients/<folder>/index.ts), so the test compiles without it; without it the
 * proof is skipped.
 */
export function proveClientSuite(suiteName: string, folder: string, budgetMs: number): void {
  const tableFile = path.join(ROOT, 'fixtures', 'clients', folder, 'index.ts');
  const table = existsSync(tableFile) ? (require(tableFile) as ClientTable) : undefined;

  async function runSuite(command: string): Promise<CaseOutcome[]> {
    const suite = bundledSuite(suiteName);
    const outcomes: CaseOutcome[] = [];
    for (const c of suite.cases) outcomes.push(await runCase(suite, c, {}, { client: { command } }));
    return outcomes;
  }

  (table ? describe : describe.skip)(`${suiteName} suite against the reference and mutant clients`, () => {
    const { REFERENCE_CLIENT, MUTANT_CLIENTS } = table as ClientTable;
    const suite = bundledSuite(suiteName);

    test('the reference client passes every case', async () => {
      const failures = (await runSuite(REFERENCE_CLIENT)).filter((o) => o.verdict === 'fail').map(describeFailure);
      expect(failures).toEqual([]);
    }, budgetMs);

    test.concurrent.each(Object.entries(MUTANT_CLIENTS))('mutant client %s fails exactly its cases, each at a check of a rule it breaks', async (_name, mutant) => {
      const outcomes = await runSuite(mutant.command);
      // A case failed that should pass: its failure, in full, says why.
      expect(outcomes.filter((o) => o.verdict === 'fail' && !mutant.kills.includes(o.caseId)).map(describeFailure)).toEqual([]);
      expect(failedIds(outcomes)).toEqual([...mutant.kills].sort());
      expect(misattributed(outcomes, mutant.breaks)).toEqual([]);
    }, budgetMs);

    test('every case is killed by a mutant client or says why none can', () => {
      const killed = new Set(Object.values(MUTANT_CLIENTS).flatMap((m) => m.kills));
      expect(suite.cases.filter((c) => !killed.has(c.id) && !c.noMutant).map((c) => c.id)).toEqual([]);
      expect([...killed].filter((id) => !suite.cases.some((c) => c.id === id))).toEqual([]);
    });
  });
}

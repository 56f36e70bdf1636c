import { runCase, type CaseOutcome } from '../../harness/run/run-case';
import { describeFailure } from '../../harness/report/describe';
import type { Case } from '../../harness/suite/schema';
import type { ClientCommand } from '../../harness/targets/client-command';
import { bundledSuite, failedIds, misattributed } from './run-suite';

/** A client suite's table of mutant clients: the reference passes every case, each mutant fails exactly its `kills`. */
export interface ClientProofTable {
  REFERENCE_CLIENT: string;
  MUTANT_CLIENTS: Record<string, { bug: string; breaks: string[]; command: string; kills: string[] }>;
}

export interface ClientProofOptions {
  /** What the client is run with besides its command (a declared timeout). */
  client?: Omit<ClientCommand, 'command'>;
  /** Why a case cannot run on this machine (root, nftables, tcpdump), or undefined: skipped here, required in CI. */
  skip?: (c: Case) => string | undefined;
  /** One client's run of the suite, with other clients at once on a shared 2-core machine. */
  budgetMs: number;
}

/**
 * The proof that every case of a client suite can fail, as test/client-mutants.test.ts makes it
 * for echo-client: the reference client passes every case, each mutant fails exactly its cases,
 * each at a check of a rule it breaks, and every rule the cases cite is broken by a mutant that
 * kills a case citing it. Cases the machine cannot run are left out of every list, with the reason
 * (a failure in CI, CI=true).
 */
export function describeClientProof(suiteName: string, table: ClientProofTable, options: ClientProofOptions): void {
  const suite = bundledSuite(suiteName);
  const { REFERENCE_CLIENT, MUTANT_CLIENTS } = table;
  const reasons = suite.cases.map((c) => options.skip?.(c)).filter((why): why is string => why !== undefined);
  const runnable = suite.cases.filter((c) => options.skip?.(c) === undefined);
  const runnableIds = (ids: readonly string[]) => ids.filter((id) => runnable.some((c) => c.id === id)).sort();

  async function runSuite(command: string): Promise<CaseOutcome[]> {
    const outcomes: CaseOutcome[] = [];
    for (const c of runnable) outcomes.push(await runCase(suite, c, {}, { client: { ...options.client, command } }));
    return outcomes;
  }

  describe(`${suiteName} suite against the reference and mutant clients`, () => {
    if (reasons.length > 0 && process.env.CI === 'true') {
      test('can run every case', () => {
        throw new Error(`${reasons[0]}: required in CI`);
      });
    } else if (reasons.length > 0) {
      test.skip(`${suite.cases.length - runnable.length} case(s) [skipped: ${reasons[0]}]`, () => undefined);
    }

    test('the reference client passes every case', async () => {
      const failures = (await runSuite(REFERENCE_CLIENT)).filter((o) => o.verdict === 'fail').map(describeFailure);
      expect(failures).toEqual([]);
    }, options.budgetMs);

    test.concurrent.each(Object.entries(MUTANT_CLIENTS))('mutant client %s fails exactly its cases, each at a check of a rule it breaks', async (_name, mutant) => {
      const outcomes = await runSuite(mutant.command);
      expect(failedIds(outcomes)).toEqual(runnableIds(mutant.kills));
      expect(misattributed(outcomes, mutant.breaks)).toEqual([]);
    }, options.budgetMs);

    test('every case is killed by a mutant client', () => {
      const killed = new Set(Object.values(MUTANT_CLIENTS).flatMap((m) => m.kills));
      expect(suite.cases.filter((c) => !killed.has(c.id)).map((c) => c.id)).toEqual([]);
      expect([...killed].filter((id) => !suite.cases.some((c) => c.id === id))).toEqual([]);
    });

    test('every rule the cases cite is broken by a mutant that kills a case citing it', () => {
      const cited = [...new Set(suite.cases.flatMap((c) => c.rules ?? []))];
      const proven = (rule: string) =>
        Object.values(MUTANT_CLIENTS).some((m) => m.breaks.includes(rule) && m.kills.some((id) => suite.cases.find((c) => c.id === id)?.rules?.includes(rule)));
      expect(cited.filter((rule) => !proven(rule))).toEqual([]);
    });
  });
}

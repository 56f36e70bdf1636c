import { DECLARED } from '../../fixtures/mutants/capacity';
import type { Mutant } from '../../fixtures/mutants/mutant';
import { runCase, type CaseOutcome } from '../../harness/run/run-case';
import type { RunningServer } from '../../harness/servers/running-server';
import { describeFailure } from '../../harness/report/describe';
import type { Endpoint } from '../../harness/targets/target';
import { bundledSuite, failedIds, misattributed, unexpectedFailures } from './run-suite';

export interface CapacityProof {
  /** The bundled capacity suite whose must cases are proven. */
  suite: string;
  /** The service its cases reach, declared DECLARED and `declares` on top. */
  service: string;
  declares?: Partial<Endpoint>;
  reference: () => Promise<RunningServer>;
  mutants: Record<string, Mutant>;
  timeoutMs: number;
}

/**
 * The proof of a capacity suite's must cases: the reference server passes them all, each mutant
 * fails exactly the cases its table lists, each at the check of a rule it breaks, and every must
 * case is killed. The cases run one after another, each against a fresh server (never two loads
 * at once); the info cases measure, and no server fails them.
 */
export function proveCapacitySuite(proof: CapacityProof): void {
  const suite = bundledSuite(proof.suite);
  const mustCases = suite.cases.filter((c) => (c.level ?? 'must') === 'must');

  async function runMustCases(start: () => Promise<RunningServer>): Promise<CaseOutcome[]> {
    const outcomes: CaseOutcome[] = [];
    for (const c of mustCases) {
      const server = await start();
      try {
        outcomes.push(await runCase(suite, c, { [proof.service]: { host: server.host, port: server.port, transport: 'tcp', ...proof.declares, capacity: DECLARED } }));
      } finally {
        await server.close();
      }
    }
    return outcomes;
  }

  describe(`${proof.suite} suite`, () => {
    test('the reference server passes every must case, declaring what it carries here with room to spare', async () => {
      const failures = (await runMustCases(proof.reference)).filter((o) => o.verdict !== 'pass').map(describeFailure);
      expect(failures).toEqual([]);
    }, proof.timeoutMs);

    test.each(Object.entries(proof.mutants))('mutant %s fails exactly its cases, each at the check of a rule it breaks', async (_name, mutant) => {
      const outcomes = await runMustCases(() => mutant.start({}));
      expect(unexpectedFailures(outcomes, mutant.kills)).toEqual([]);
      expect(failedIds(outcomes)).toEqual([...mutant.kills].sort());
      expect(misattributed(outcomes, mutant.breaks)).toEqual([]);
    }, proof.timeoutMs);

    test('every must case is killed by a mutant', () => {
      const killed = new Set(Object.values(proof.mutants).flatMap((m) => m.kills));
      expect(mustCases.map((c) => c.id).filter((id) => !killed.has(id))).toEqual([]);
    });
  });
}

import { ZOO } from '../fixtures/mutants/zoo';
import { REFERENCE_SERVERS } from '../harness/servers/catalog';
import { describeFailure } from '../harness/report/describe';
import { bundledSuite, failedIds, misattributed, runEachCaseFresh, unexpectedFailures, withoutMayFail } from './support/run-suite';
import { NETWORK_MUTANTS } from '../fixtures/mutants/network';
import { describeWithNetns, runEachInNamespace } from './support/netns';

/**
 * A mutant's run of its whole suite. jest runs five at once (test.concurrent) in this one process,
 * on 2 cores shared with other work, so each takes several times what it takes alone. Alone, the
 * chat suite takes 5 s against the reference, 13 s against half-open-after-fin (each case's end
 * waits 250 ms for a FIN it never sends) and 10 s against welcome-late: not a timeout per case,
 * but the 100 ms it delays every WELCOME by on purpose, for some 50 clients registering one after
 * another. Five at once at load 8, welcome-late took 48 s and three others passed 60 s; at load 5
 * the echo-tcp mutants that fail its wire checks (each check a tshark decode of a capture of up to
 * 32 MiB) took up to 108 s. The budget is there to end a hang, not to time the run.
 */
const MUTANT_RUN_BUDGET_MS = 240_000;

/**
 * The proof that every case can fail: the reference server passes every case, each mutant fails
 * exactly the cases listed for it, and every case is failed by some mutant or says why not.
 */
describe.each(Object.keys(ZOO))('%s suite', (suiteName) => {
  const suite = bundledSuite(suiteName);
  const mutants = ZOO[suiteName];

  test('the reference server passes every case', async () => {
    const outcomes = await runEachCaseFresh(suite, () => REFERENCE_SERVERS[suite.service].start({}));
    const failures = outcomes.filter((o) => o.verdict === 'fail').map(describeFailure);
    expect(failures).toEqual([]);
  }, 60_000);

  test.concurrent.each(Object.entries(mutants))('mutant %s fails exactly its cases, each at a check of a rule it breaks', async (_name, mutant) => {
    const outcomes = withoutMayFail(await runEachCaseFresh(suite, () => mutant.start({})), mutant.mayFail);
    // A case failed that should not have: its whole message, to tell a flake from a real kill.
    expect(unexpectedFailures(outcomes, mutant.kills)).toEqual([]);
    expect(failedIds(outcomes)).toEqual([...mutant.kills].sort());
    expect(misattributed(outcomes, mutant.breaks)).toEqual([]);
  }, MUTANT_RUN_BUDGET_MS);

  test('every case is killed by a mutant or says why no mutant can', () => {
    const killed = new Set(Object.values(mutants).flatMap((m) => m.kills));
    const unproven = suite.cases.filter((c) => !killed.has(c.id) && !c.noMutant).map((c) => c.id);
    expect(unproven).toEqual([]);
    const unknown = [...killed].filter((id) => !suite.cases.some((c) => c.id === id));
    expect(unknown).toEqual([]);
  });
});

/** The network suites' proof: their servers run inside network namespaces, as commands. */
describeWithNetns('network suites', () => {
  describe.each(Object.keys(NETWORK_MUTANTS))('%s suite', (suiteName) => {
    const suite = bundledSuite(suiteName);
    const mutants = NETWORK_MUTANTS[suiteName];

    test('the reference server passes every case', async () => {
      const failures = (await runEachInNamespace(suite, { builtin: true })).filter((o) => o.verdict === 'fail').map(describeFailure);
      expect(failures).toEqual([]);
    }, 60_000);

    test.each(Object.entries(mutants))('mutant %s fails exactly its cases', async (_name, mutant) => {
      const outcomes = withoutMayFail(await runEachInNamespace(suite, { command: { command: mutant.command } }), mutant.mayFail);
      expect(failedIds(outcomes)).toEqual([...mutant.kills].sort());
    }, 60_000);

    test('every case is killed by a mutant or says why no mutant can', () => {
      const killed = new Set(Object.values(mutants).flatMap((m) => m.kills));
      expect(suite.cases.filter((c) => !killed.has(c.id) && !c.noMutant).map((c) => c.id)).toEqual([]);
    });
  });
});

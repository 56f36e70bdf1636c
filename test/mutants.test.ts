import { ZOO } from '../fixtures/mutants/zoo';
import { REFERENCE_SERVERS } from '../harness/servers/catalog';
import { describeFailure } from '../harness/verdict/describe';
import { bundledSuite, failedIds, misattributed, runEachCaseFresh } from './support/run-suite';
import { NETWORK_MUTANTS } from '../fixtures/mutants/network';
import { describeWithNetns, runEachInNamespace } from './support/netns';

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
    const outcomes = await runEachCaseFresh(suite, () => mutant.start({}));
    expect(failedIds(outcomes)).toEqual([...mutant.kills].sort());
    expect(misattributed(outcomes, mutant.breaks)).toEqual([]);
  }, 60_000);

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
      expect(failedIds(await runEachInNamespace(suite, { command: { command: mutant.command } }))).toEqual([...mutant.kills].sort());
    }, 60_000);

    test('every case is killed by a mutant or says why no mutant can', () => {
      const killed = new Set(Object.values(mutants).flatMap((m) => m.kills));
      expect(suite.cases.filter((c) => !killed.has(c.id) && !c.noMutant).map((c) => c.id)).toEqual([]);
    });
  });
});

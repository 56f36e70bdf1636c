import { GOOD_PYTHON_SERVER, LIFECYCLE_MUTANTS } from '../fixtures/mutants/lifecycle';
import { runCase, type CaseOutcome } from '../harness/run/run-case';
import { BuiltinLauncher } from '../harness/targets/builtin';
import { CommandLauncher } from '../harness/targets/command';
import type { Launcher } from '../harness/targets/launcher';
import { describeFailure } from '../harness/verdict/describe';
import { bundledSuite, failedIds, misattributed } from './support/run-suite';
import { describeWithPrograms } from './support/tools';

const suite = bundledSuite('lifecycle');

async function runAll(launcher: Launcher): Promise<CaseOutcome[]> {
  const outcomes: CaseOutcome[] = [];
  for (const c of suite.cases) outcomes.push(await runCase(suite, c, {}, { launcher }));
  return outcomes;
}

function failures(outcomes: CaseOutcome[]): string[] {
  return outcomes.filter((o) => o.verdict === 'fail').map(describeFailure);
}

/** The lifecycle suite's proof: correct servers pass, each process with one bug fails exactly its cases. */
describe('lifecycle suite', () => {
  test('the builtin reference servers pass every case', async () => {
    expect(failures(await runAll(new BuiltinLauncher()))).toEqual([]);
  }, 60_000);

  test('every case is killed by a mutant', () => {
    const killed = new Set(Object.values(LIFECYCLE_MUTANTS).flatMap((m) => m.kills));
    expect(suite.cases.filter((c) => !killed.has(c.id) && !c.noMutant).map((c) => c.id)).toEqual([]);
  });
});

describeWithPrograms(['python3'], 'lifecycle suite against processes', () => {
  test('a correct Python echo server passes every case', async () => {
    expect(failures(await runAll(new CommandLauncher({ command: GOOD_PYTHON_SERVER })))).toEqual([]);
  }, 60_000);

  test.concurrent.each(Object.entries(LIFECYCLE_MUTANTS))('mutant %s fails exactly its cases, each at a check of a rule it breaks', async (_name, mutant) => {
    const outcomes = await runAll(new CommandLauncher({ command: mutant.command }));
    expect(failedIds(outcomes)).toEqual([...mutant.kills].sort());
    expect(misattributed(outcomes, mutant.breaks)).toEqual([]);
  }, 60_000);
});

import { GOOD_PYTHON_SERVER, LIFECYCLE_MUTANTS } from '../fixtures/mutants/lifecycle';
import { runCase, type CaseOutcome } from '../harness/run/run-case';
import { BuiltinLauncher } from '../harness/targets/builtin';
import { CommandLauncher } from '../harness/targets/command';
import type { Launcher } from '../harness/targets/launcher';
import { describeFailure } from '../harness/report/describe';
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

  describe('restart-after-active-close names what it failed on', () => {
    const restartCase = suite.cases.find((c) => c.id === 'restart-after-active-close')!;
    const runRestart = (command: string) => runCase(suite, restartCase, {}, { launcher: new CommandLauncher({ command }) });

    test('a server that serves one connection at a time reaches the restart: without SO_REUSEADDR it fails there', async () => {
      expect((await runRestart(`${GOOD_PYTHON_SERVER} --one-at-a-time`)).verdict).toBe('pass');
      const { failure } = await runRestart(LIFECYCLE_MUTANTS['one-at-a-time-no-reuseaddr'].command);
      expect(failure?.step?.description).toMatch(/restarted/);
    }, 30_000);

    test('a failure before the restart is charged to the rule of the check it failed, not to SO_REUSEADDR', async () => {
      // It resets its connections on SIGTERM: the client's close is checked before the restart.
      const { failure, attribution } = await runRestart(LIFECYCLE_MUTANTS['rst-on-term'].command);
      expect(failure?.step?.description).toMatch(/^expect close/);
      expect(attribution).toEqual({ as: 'step', rules: ['sigterm-closes-with-fin'] });
    }, 30_000);
  });

  test.concurrent.each(Object.entries(LIFECYCLE_MUTANTS))('mutant %s fails exactly its cases, each at a check of a rule it breaks', async (_name, mutant) => {
    const outcomes = await runAll(new CommandLauncher({ command: mutant.command }));
    expect(failedIds(outcomes)).toEqual([...mutant.kills].sort());
    expect(misattributed(outcomes, mutant.breaks)).toEqual([]);
  }, 60_000);
});

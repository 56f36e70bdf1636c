import { MUTANTS } from '../fixtures/mutants/echo-tcp';
import { bundledSuite, failedIds, runEachCaseFresh } from './support/run-suite';

/**
 * The echo-tcp mutants whose bug depends on the bytes (text decoding, newline translation, C
 * strings) fail the same cases under any run seed, since random payloads hold those bytes by
 * construction: `sockspec run`, whose seed changes from run to run, catches them every time.
 */
const DATA_DEPENDENT = ['decodes-chunks-as-text', 'crlf-to-lf', 'lf-to-crlf', 'truncates-at-nul'];
const RUN_SEEDS = [1, 2, 314_159_265, 2_718_281_828, 4_294_967_295];

describe('echo-tcp mutants whose bug depends on the data', () => {
  const suite = bundledSuite('echo-tcp');

  test.concurrent.each(DATA_DEPENDENT)('%s fails exactly its cases under each of 5 run seeds', async (name) => {
    const mutant = MUTANTS[name];
    const killsBySeed: Record<number, string[]> = {};
    for (const run of RUN_SEEDS) killsBySeed[run] = failedIds(await runEachCaseFresh(suite, () => mutant.start({}), undefined, { run, repetition: 1 }));
    expect(killsBySeed).toEqual(Object.fromEntries(RUN_SEEDS.map((run) => [run, [...mutant.kills].sort()])));
  }, 180_000);
});

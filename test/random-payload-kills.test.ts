import { MUTANTS } from '../fixtures/mutants/echo-tcp';
import { usesWire } from '../harness/run/case-capture';
import { bundledSuite, failedIds, runEachCaseFresh } from './support/run-suite';

/**
 * The echo-tcp mutants whose bug depends on the bytes (text decoding, newline translation, C
 * strings) fail the same cases under any run seed, since random payloads hold those bytes by
 * construction: `sockspec run`, whose seed changes from run to run, catches them every time.
 */
const DATA_DEPENDENT = ['decodes-chunks-as-text', 'crlf-to-lf', 'lf-to-crlf', 'truncates-at-nul'];
const RUN_SEEDS = [1, 2, 314_159_265, 2_718_281_828, 4_294_967_295];

describe('echo-tcp mutants whose bug depends on the data', () => {
  const whole = bundledSuite('echo-tcp');
  // The cases with random payloads, the only ones a seed changes. Not the wire checks: flow control
  // and SYN options do not depend on the bytes, and each is a tshark decode of up to 32 MiB, which
  // took this file past its budget five seeds over.
  const seeded = whole.cases.filter((c) => JSON.stringify(c.steps).includes('"random"') && !usesWire(c));
  const suite = { ...whole, cases: seeded };
  const ids = new Set(seeded.map((c) => c.id));

  test('some cases have random payloads', () => expect(seeded.length).toBeGreaterThan(3));

  test.concurrent.each(DATA_DEPENDENT)('%s fails exactly its cases with random payloads under each of 5 run seeds', async (name) => {
    const mutant = MUTANTS[name];
    const killsBySeed: Record<number, string[]> = {};
    for (const run of RUN_SEEDS) killsBySeed[run] = failedIds(await runEachCaseFresh(suite, () => mutant.start({}), undefined, { run, repetition: 1 }));
    const expected = mutant.kills.filter((id) => ids.has(id)).sort();
    expect(killsBySeed).toEqual(Object.fromEntries(RUN_SEEDS.map((run) => [run, expected])));
  }, 180_000);
});

import { randomInt } from 'node:crypto';

/** The largest run seed: seeds are unsigned 32-bit numbers, short enough to read out and type. */
export const MAX_SEED = 2 ** 32 - 1;

/** A run's seed when none is given: random, so that runs explore different inputs. */
export function newRunSeed(): number {
  return randomInt(0, MAX_SEED + 1);
}

/** Which run of a case this is, and the run's seed: everything a case's random choices derive from. */
export interface CaseSeed {
  run: number;
  /** From 1; a run with --repeat N runs each case N times. */
  repetition: number;
}

/**
 * The name every random choice of one run of a case starts from (default random payloads, the
 * fault proxy's decisions): the run seed, the suite, the case and the repetition. The first
 * repetition's name does not mention it, so `--seed S` alone replays a case's first run.
 */
export function caseSeedName(seed: CaseSeed, suite: string, caseId: string): string {
  return `${seed.run}/${suite}/${caseId}${seed.repetition > 1 ? `#${seed.repetition}` : ''}`;
}

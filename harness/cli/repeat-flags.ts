import { MAX_SEED } from '../run/seed';
import { UsageError } from './errors';

/** The most runs of each case `--repeat` takes: a pass rate over more says little more. */
const MAX_REPEAT = 100;

/** `--seed N`: the run seed, a whole number a failure message printed. */
export function seedFlag(value: string): number {
  const seed = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(seed <= MAX_SEED)) throw new UsageError(`--seed takes a whole number from 0 to ${MAX_SEED}, not "${value}"`);
  return seed;
}

/** `--repeat N`: how many times each case runs. It measures flakiness, which --retries would hide. */
export function repeatFlag(value: string, retries: string | undefined): number {
  const repeat = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(repeat >= 1 && repeat <= MAX_REPEAT)) throw new UsageError(`--repeat takes a whole number from 1 to ${MAX_REPEAT}, not "${value}"`);
  if (retries !== undefined) throw new UsageError('--repeat and --retries do not go together: --repeat measures how often a case passes, --retries would run its failures again');
  return repeat;
}

import { envTimeScale, ENV } from '../jest/settings';
import { MAX_TIME_SCALE, parseTimeScale, type TimeScale } from '../vocabulary/time-scale';
import { UsageError } from './errors';

/** `--time-scale F` (else SOCKSPEC_TIME_SCALE, else 1) and `--no-timeouts`: the run's patience. */
export function timeScaleFlags(flag: string | undefined, noTimeouts: boolean, env: NodeJS.ProcessEnv = process.env): TimeScale {
  if (flag !== undefined) {
    const factor = parseTimeScale(flag);
    if (factor === undefined) throw new UsageError(`--time-scale takes a number above 0 and at most ${MAX_TIME_SCALE} (e.g. 0.5, 3), not "${flag}"`);
    return { factor, noTimeouts };
  }
  try {
    return { factor: envTimeScale(env) ?? 1, noTimeouts };
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/^sockspec: /, ''), `or unset ${ENV.timeScale}`);
  }
}

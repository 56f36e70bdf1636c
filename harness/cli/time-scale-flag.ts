import { envTimeScale, ENV } from '../jest/settings';
import { timeScaleProblem, type TimeScale } from '../vocabulary/time-scale';
import { UsageError } from './errors';

/** `--time-scale F` (else SOCKSPEC_TIME_SCALE, else 1) and `--no-timeouts`: the run's patience. */
export function timeScaleFlags(flag: string | undefined, noTimeouts: boolean, env: NodeJS.ProcessEnv = process.env): TimeScale {
  if (flag !== undefined) {
    const problem = timeScaleProblem(flag, '--time-scale');
    if (problem) throw new UsageError(problem);
    return { factor: Number(flag), noTimeouts };
  }
  try {
    return { factor: envTimeScale(env) ?? 1, noTimeouts };
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/^sockspec: /, ''), `or unset ${ENV.timeScale}`);
  }
}

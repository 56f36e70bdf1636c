import { ENV } from '../jest/settings';
import { loadProfile, namesProfileFile, profileFile } from '../suite/profile';
import { SuiteUsageError } from '../verdict/failure';
import { UsageError } from './errors';

/**
 * The chat-relay profile of a run: `--profile` (or a targets file's `profile:`), else the
 * SOCKSPEC_PROFILE the shell set, else none (the suite files then use the default). Loaded here so
 * an unknown name stops the run before it starts, not in every case; a file travels as an absolute
 * path, since the suite files may run elsewhere than the current folder.
 */
export function chatProfile(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = flag ?? (env[ENV.profile] || undefined);
  if (value === undefined) return undefined;
  try {
    loadProfile(value);
  } catch (err) {
    if (!(err instanceof SuiteUsageError)) throw err;
    throw new UsageError(`${flag === undefined ? `${ENV.profile}=${value}` : `--profile ${value}`}: ${err.message}`);
  }
  return namesProfileFile(value) ? profileFile(value) : value;
}

import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../package-paths';
import { ProfileSchema, type Profile } from '../steps/support/profile';
import { SuiteUsageError } from '../verdict/failure';
import { CheckedYaml } from './checked-yaml';
import { SuiteError } from './suite-error';

/**
 * Where chat profiles (steps/support/profile.ts) come from. The run chooses one (`sockspec run
 * --profile`, a targets file's `profile:`, else the environment variable SOCKSPEC_PROFILE): a name
 * in suites/profiles/ or a path to a profile file. It reaches the steps through the case run
 * (run/run-case.ts), loaded the first time a step uses it.
 */
export const DEFAULT_PROFILE = 'sockspec-chat';
export const PROFILES_DIR = path.join(PACKAGE_ROOT, 'suites', 'profiles');
const SUFFIX = '.profile.yaml';

const loaded = new Map<string, Profile>();

/** The profile `nameOrFile` names, read once per process. */
export function cachedProfile(nameOrFile: string): Profile {
  const profile = loaded.get(nameOrFile) ?? loadProfile(nameOrFile);
  loaded.set(nameOrFile, profile);
  return profile;
}

/** A value with a slash or a .yaml ending is a profile file; anything else names a shipped profile. */
export function namesProfileFile(nameOrFile: string): boolean {
  return /[/\\]|\.ya?ml$/.test(nameOrFile);
}

export function profileFile(nameOrFile: string): string {
  return namesProfileFile(nameOrFile) ? path.resolve(nameOrFile) : path.join(PROFILES_DIR, nameOrFile + SUFFIX);
}

/** The shipped profiles: suites/profiles/NAME.profile.yaml. */
export function profileNames(): string[] {
  return readdirSync(PROFILES_DIR).filter((f) => f.endsWith(SUFFIX)).map((f) => f.slice(0, -SUFFIX.length)).sort();
}

export function loadProfile(nameOrFile: string): Profile {
  const file = profileFile(nameOrFile);
  if (!namesProfileFile(nameOrFile) && !existsSync(file)) {
    throw new SuiteUsageError(`no chat profile "${nameOrFile}" (profiles: ${profileNames().join(', ')}; or a .profile.yaml file)`);
  }
  try {
    const yaml = new CheckedYaml(file, 'profile');
    yaml.check(ProfileSchema, yaml.data, []);
    yaml.throwProblems();
    return yaml.data as Profile;
  } catch (err) {
    if (!(err instanceof SuiteError)) throw err;
    // A case's mistake where a step loads it (the CLI loads it before the run, and says so there).
    throw new SuiteUsageError(err.message);
  }
}

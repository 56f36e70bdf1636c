import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { PACKAGE_ROOT } from '../jest/config';
import { ENV } from '../jest/settings';
import { SuiteUsageError } from '../verdict/failure';
import { CheckedYaml } from '../suite/checked-yaml';
import { SuiteError } from '../suite/suite-error';

/**
 * A profile maps the abstract events of a chat relay (a message, a join, a lost member) to what one
 * server really sends, so one suite (chat-relay) can check servers with different wire formats:
 * the sockspec chat protocol and `ncat --chat` today. Cases use its variables as `{{message}}` and
 * its join exchange through the `join` step.
 *
 * The run chooses it (`sockspec run --profile`, a targets file's `profile:`, else the environment
 * variable SOCKSPEC_PROFILE): a name in suites/profiles/ or a path to a profile file. It reaches
 * the suite files, in jest's workers, as the other run settings do: in that same variable.
 */
export const PROFILE_ENV = ENV.profile;
export const DEFAULT_PROFILE = 'sockspec-chat';
export const PROFILES_DIR = path.join(PACKAGE_ROOT, 'suites', 'profiles');
const SUFFIX = '.profile.yaml';

const ScriptLine = Type.Union([
  Type.Object({ send: Type.String({ description: 'a line to write (LF appended); placeholders allowed' }) }, { additionalProperties: false }),
  Type.Object({ expect: Type.String({ description: 'a regex the next line must match whole; placeholders allowed' }) }, { additionalProperties: false }),
]);

export const ProfileSchema = Type.Object(
  {
    profile: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$' }),
    title: Type.String({ minLength: 1 }),
    description: Type.Optional(Type.String()),
    join: Type.Array(ScriptLine, { description: 'what a new connection exchanges to become a member, in order' }),
    vars: Type.Record(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_-]*$' }), Type.String(), { description: 'values of {{name}} placeholders' }),
  },
  { additionalProperties: false },
);
export type Profile = Static<typeof ProfileSchema>;

let cached: { source: string; profile: Profile } | undefined;

/** The profile this process runs with (read once per source). */
export function activeProfile(env: NodeJS.ProcessEnv = process.env): Profile {
  const source = env[PROFILE_ENV] || DEFAULT_PROFILE;
  if (cached?.source !== source) cached = { source, profile: loadProfile(source) };
  return cached.profile;
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

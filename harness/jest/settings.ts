import type { Endpoints } from '../targets/target';
import type { CommandTargetOptions } from '../targets/command';
import type { ContainerTargetOptions } from '../targets/container';
import type { ServiceName } from '../targets/target';

/** A RegExp does not survive JSON: the ready-log pattern travels as its source. */
function parseLaunch(json: string): CommandTargetOptions {
  const spec = JSON.parse(json) as Omit<CommandTargetOptions, 'readyLog'> & { readyLog?: string };
  return { ...spec, readyLog: spec.readyLog === undefined ? undefined : new RegExp(spec.readyLog) };
}

/**
 * How the CLI tells the suite files (running inside jest, possibly in worker processes) what to
 * run against: environment variables, which jest passes on to its workers. With none set, a suite
 * file starts the builtin reference servers itself, which is what a plain `jest` run does.
 */
export const ENV = {
  endpoints: 'SOCKSPEC_ENDPOINTS',
  target: 'SOCKSPEC_TARGET',
  outcomes: 'SOCKSPEC_OUTCOMES_DIR',
  stepTimeout: 'SOCKSPEC_STEP_TIMEOUT',
  launch: 'SOCKSPEC_LAUNCH',
  launchContainers: 'SOCKSPEC_LAUNCH_CONTAINERS',
  transcripts: 'SOCKSPEC_TRANSCRIPTS',
  retries: 'SOCKSPEC_RETRIES',
  profile: 'SOCKSPEC_PROFILE',
  strict: 'SOCKSPEC_STRICT',
  filter: 'SOCKSPEC_FILTER',
  seed: 'SOCKSPEC_SEED',
  repeat: 'SOCKSPEC_REPEAT',
} as const;

export interface RunSettings {
  /** Endpoints of a target the CLI started; undefined means "start the builtin servers here". */
  endpoints?: Endpoints;
  /** One line describing the target, for reports. */
  target: string;
  /** For a command target: how the lifecycle cases start more instances of it. */
  launch?: CommandTargetOptions;
  /** For a container target: the image options lifecycle cases start more containers with, per service. */
  launchContainers?: Partial<Record<ServiceName, ContainerTargetOptions>>;
  /** Folder where each suite file appends its case outcomes for the CLI to summarise. */
  outcomesDir?: string;
  stepTimeout?: number;
  /** Keep the transcript of every case, not only of failed ones. */
  transcripts?: boolean;
  /** Run a failed case again up to this many times; a pass after a failure is reported as flaky. */
  retries?: number;
  /** The chat-relay profile: a shipped profile's name or a profile file's absolute path. */
  profile?: string;
  /** A failed `should` case fails the run (and its jest test), not only a `must` one. */
  strict?: boolean;
  /** --filter: a skipped case it leaves out is not part of the run, so it leaves no record. */
  filter?: string;
  /** The run's seed (--seed, or the one the CLI drew); absent, each suite file draws its own. */
  seed?: number;
  /** Run every case this many times and report its pass rate (--repeat). */
  repeat?: number;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): RunSettings {
  return {
    endpoints: env[ENV.endpoints] ? (JSON.parse(env[ENV.endpoints] as string) as Endpoints) : undefined,
    target: env[ENV.target] ?? 'builtin',
    launch: env[ENV.launch] ? parseLaunch(env[ENV.launch] as string) : undefined,
    launchContainers: env[ENV.launchContainers] ? (JSON.parse(env[ENV.launchContainers] as string) as RunSettings['launchContainers']) : undefined,
    outcomesDir: env[ENV.outcomes] || undefined,
    stepTimeout: env[ENV.stepTimeout] ? Number(env[ENV.stepTimeout]) : undefined,
    transcripts: env[ENV.transcripts] === 'true',
    retries: env[ENV.retries] ? Number(env[ENV.retries]) : undefined,
    profile: env[ENV.profile] || undefined,
    strict: env[ENV.strict] === 'true',
    filter: env[ENV.filter] || undefined,
    seed: env[ENV.seed] ? Number(env[ENV.seed]) : undefined,
    repeat: env[ENV.repeat] ? Number(env[ENV.repeat]) : undefined,
  };
}

export function settingsEnv(settings: RunSettings): Record<string, string> {
  // Every variable is set or emptied: one inherited from the shell must not reach a run.
  const env: Record<string, string> = Object.fromEntries(Object.values(ENV).map((name) => [name, '']));
  env[ENV.target] = settings.target;
  if (settings.endpoints) env[ENV.endpoints] = JSON.stringify(settings.endpoints);
  if (settings.outcomesDir) env[ENV.outcomes] = settings.outcomesDir;
  if (settings.stepTimeout) env[ENV.stepTimeout] = String(settings.stepTimeout);
  if (settings.transcripts) env[ENV.transcripts] = 'true';
  if (settings.retries) env[ENV.retries] = String(settings.retries);
  if (settings.profile) env[ENV.profile] = settings.profile;
  if (settings.strict) env[ENV.strict] = 'true';
  if (settings.filter !== undefined) env[ENV.filter] = settings.filter;
  if (settings.seed !== undefined) env[ENV.seed] = String(settings.seed);
  if (settings.repeat) env[ENV.repeat] = String(settings.repeat);
  // A ready-log RegExp travels as its source; ContainerTargetOptions takes either.
  const asSource = (_key: string, value: unknown) => (value instanceof RegExp ? value.source : value);
  if (settings.launchContainers) env[ENV.launchContainers] = JSON.stringify(settings.launchContainers, asSource);
  if (settings.launch) env[ENV.launch] = JSON.stringify({ ...settings.launch, readyLog: settings.launch.readyLog?.source });
  return env;
}

import type { Endpoints } from '../targets/target';
import type { TargetSpec } from '../targets/registry';
import { timeScaleProblem, type TimeScale } from '../vocabulary/time-scale';
import { CAPTURE_MODES, type CaptureMode } from '../capture/case-capture';

/** The target of a `sockspec run`, as the suite files get it. */
export interface RunTarget {
  /** What to run against: the servers of the lifecycle and network cases start from it. */
  spec: TargetSpec;
  /** One line describing the target, for reports. */
  description: string;
  /** The endpoints of the servers the CLI started; none when each suite file starts its own (builtin). */
  endpoints?: Endpoints;
}

/**
 * How the CLI tells the suite files (running inside jest, possibly in worker processes) what to
 * run against: environment variables, which jest passes on to its workers. With none set, a suite
 * file starts the builtin reference servers itself, which is what a plain `jest` run does.
 */
export const ENV = {
  target: 'SOCKSPEC_TARGET',
  outcomes: 'SOCKSPEC_OUTCOMES_DIR',
  stepTimeout: 'SOCKSPEC_STEP_TIMEOUT',
  transcripts: 'SOCKSPEC_TRANSCRIPTS',
  retries: 'SOCKSPEC_RETRIES',
  profile: 'SOCKSPEC_PROFILE',
  strict: 'SOCKSPEC_STRICT',
  filter: 'SOCKSPEC_FILTER',
  seed: 'SOCKSPEC_SEED',
  repeat: 'SOCKSPEC_REPEAT',
  part: 'SOCKSPEC_PART',
  /** Also the user's own setting: a plain `jest` run, or a project's, reads it as --time-scale. */
  timeScale: 'SOCKSPEC_TIME_SCALE',
  noTimeouts: 'SOCKSPEC_NO_TIMEOUTS',
  capture: 'SOCKSPEC_CAPTURE',
  captureDir: 'SOCKSPEC_CAPTURE_DIR',
} as const;

/**
 * A run in parallel is two jest runs: the cases that may run beside other suite files, side by
 * side, then the cases that declare `alone`, one at a time.
 */
export const PARTS = ['together', 'alone'] as const;

export type Part = (typeof PARTS)[number];

/** Whether a case belongs to the part a jest run defines (every case does when there is none). */
export function inPart(c: { alone?: string }, part: Part | undefined): boolean {
  return part === undefined || (part === 'alone') === (c.alone !== undefined);
}

export interface RunSettings {
  /** The CLI's target, in one value; undefined means "start the builtin servers here". */
  target?: RunTarget;
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
  /** Which of a suite's cases this jest run defines (PARTS); every case when unset. */
  part?: Part;
  /** Multiplies every deadline and tolerance that is not the rule under test (--time-scale). */
  timeScale?: number;
  /** No step or case deadline at all (--no-timeouts). */
  noTimeouts?: boolean;
  /** --capture: keep the packet captures of failed cases (`failed`) or of every case (`all`), in captureDir. */
  capture?: CaptureMode;
  captureDir?: string;
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): RunSettings {
  return {
    target: env[ENV.target] ? (JSON.parse(env[ENV.target] as string) as RunTarget) : undefined,
    outcomesDir: env[ENV.outcomes] || undefined,
    stepTimeout: env[ENV.stepTimeout] ? Number(env[ENV.stepTimeout]) : undefined,
    transcripts: env[ENV.transcripts] === 'true',
    retries: env[ENV.retries] ? Number(env[ENV.retries]) : undefined,
    profile: env[ENV.profile] || undefined,
    strict: env[ENV.strict] === 'true',
    filter: env[ENV.filter] || undefined,
    seed: env[ENV.seed] ? Number(env[ENV.seed]) : undefined,
    repeat: env[ENV.repeat] ? Number(env[ENV.repeat]) : undefined,
    part: PARTS.find((part) => part === env[ENV.part]),
    timeScale: envTimeScale(env),
    noTimeouts: env[ENV.noTimeouts] === 'true',
    capture: CAPTURE_MODES.find((mode) => mode === env[ENV.capture]),
    captureDir: env[ENV.captureDir] || undefined,
  };
}

/** SOCKSPEC_TIME_SCALE, checked: a user sets it by hand, so a wrong one is said in one line. */
export function envTimeScale(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const text = env[ENV.timeScale];
  if (!text) return undefined;
  const problem = timeScaleProblem(text, ENV.timeScale);
  if (problem) throw new Error(`sockspec: ${problem}`);
  return Number(text);
}

/** The run's time scale, from its settings. */
export function timeScaleOf(settings: Pick<RunSettings, 'timeScale' | 'noTimeouts'>): TimeScale {
  return { factor: settings.timeScale ?? 1, noTimeouts: settings.noTimeouts ?? false };
}

export function settingsEnv(settings: RunSettings): Record<string, string> {
  // Every variable is set or emptied: one inherited from the shell must not reach a run.
  const env: Record<string, string> = Object.fromEntries(Object.values(ENV).map((name) => [name, '']));
  if (settings.target) env[ENV.target] = JSON.stringify(settings.target);
  if (settings.outcomesDir) env[ENV.outcomes] = settings.outcomesDir;
  if (settings.stepTimeout) env[ENV.stepTimeout] = String(settings.stepTimeout);
  if (settings.transcripts) env[ENV.transcripts] = 'true';
  if (settings.retries) env[ENV.retries] = String(settings.retries);
  if (settings.profile) env[ENV.profile] = settings.profile;
  if (settings.strict) env[ENV.strict] = 'true';
  if (settings.filter !== undefined) env[ENV.filter] = settings.filter;
  if (settings.seed !== undefined) env[ENV.seed] = String(settings.seed);
  if (settings.repeat) env[ENV.repeat] = String(settings.repeat);
  if (settings.part) env[ENV.part] = settings.part;
  if (settings.timeScale !== undefined) env[ENV.timeScale] = String(settings.timeScale);
  if (settings.noTimeouts) env[ENV.noTimeouts] = 'true';
  if (settings.capture) env[ENV.capture] = settings.capture;
  if (settings.captureDir) env[ENV.captureDir] = settings.captureDir;
  return env;
}

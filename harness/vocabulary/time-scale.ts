import { MAX_DURATION_MS } from './units';

/**
 * How patient a run is, for slow machines and debuggers (--time-scale, --no-timeouts).
 *
 * A suite's durations are of two sorts. Patience: how long sockspec waits for something (a step's
 * or a case's deadline, a server's readiness) and how far off a timing check lets a measurement be
 * (a tolerance, a slack). The rule: a duration the case is about (the idle timeout a server
 * declares, a client's --client-timeout, a backoff policy's delays, a `sleep` or a `for` that
 * shapes the exchange). Only patience is scaled; a rule's duration never is, or a slow run would
 * check a different rule.
 */
export interface TimeScale {
  /** Every patience is multiplied by it (1: as the suite says). */
  factor: number;
  /** No deadline at all: a case ends when its steps end (for stepping through one by hand). */
  noTimeouts: boolean;
}

export const UNSCALED: TimeScale = { factor: 1, noTimeouts: false };

/** The range --time-scale and SOCKSPEC_TIME_SCALE accept. */
export const MAX_TIME_SCALE = 100;

/** A deadline or a readiness wait as the run allows it: scaled, or as long as a timer goes with --no-timeouts. */
export function deadlineMs(ms: number, scale: TimeScale): number {
  return scale.noTimeouts ? MAX_DURATION_MS : toleranceMs(ms, scale);
}

/** A tolerance of a timing check as the run allows it: scaled. --no-timeouts leaves verdicts alone. */
export function toleranceMs(ms: number, scale: TimeScale): number {
  return Math.min(Math.round(ms * scale.factor), MAX_DURATION_MS);
}

/** A time scale given as text (a flag, an environment variable); undefined when it is none. */
export function parseTimeScale(text: string): number | undefined {
  const factor = /^\s*$/.test(text) ? NaN : Number(text);
  return Number.isFinite(factor) && factor > 0 && factor <= MAX_TIME_SCALE ? factor : undefined;
}

/** Why `text`, given as `source` (a flag, a variable, an option), is no time scale; undefined when it is one. */
export function timeScaleProblem(text: string, source: string): string | undefined {
  return parseTimeScale(text) === undefined ? `${source} takes a number above 0 and at most ${MAX_TIME_SCALE} (e.g. 0.5, 3), not "${text}"` : undefined;
}

/** The one line telling what a scaled run did, for the summary and the reports; undefined for a run as the suites say. */
export function describeTimeScale(scale: TimeScale): string | undefined {
  if (scale.noTimeouts) return `no timeouts (--no-timeouts)${scale.factor === 1 ? '' : `; tolerances × ${scale.factor}`}`;
  return scale.factor === 1 ? undefined : `time scale × ${scale.factor}: every deadline and tolerance, not the durations the rules are about`;
}

import type { Endpoint, Endpoints, ServiceName } from '../targets/target';
import type { Transcript } from '../net/transcript';
import { SuiteUsageError } from '../verdict/failure';
import type { ConnectionScope } from './support/scope';
import { Patience } from '../net/waiter';
import type { Launcher } from '../targets/launcher';
import type { CaseNetwork } from '../netns/case-network';
import type { Profile } from './support/profile';
import type { ClientCommand } from '../targets/client-command';
import { toMs } from '../vocabulary/units';
import { deadlineMs, toleranceMs, type TimeScale } from '../vocabulary/time-scale';
import type { Measurement } from '../vocabulary/measurement';
import type { CaseCapture } from '../capture/case-capture';

/*
 * The API a step is written against: what it sees of its case (CaseRun, StepContext) and the
 * deadlines it waits by. run/run-case.ts provides it; a step never imports run/.
 */

/** What every step of one case run shares. */
export interface CaseRun {
  readonly suite: string;
  readonly caseId: string;
  /** What this run of the case derives its random choices from: run seed, suite, case, repetition. */
  readonly seed: string;
  readonly service: ServiceName;
  readonly endpoints: Endpoints;
  readonly transcript: Transcript;
  /** Default deadline for one step, in ms, already scaled by the run's time scale. */
  readonly stepTimeout: number;
  /** The run's patience (--time-scale, --no-timeouts): a step scales what it waits for and tolerates through the functions below. */
  readonly timeScale: TimeScale;
  /** The case's total deadline in ms (scaled), and the absolute time (Date.now()) it falls at. */
  readonly caseTimeout: number;
  readonly caseDeadline: number;
  /** Aborted when the case deadline passes, so every wait ends with it. */
  readonly signal: AbortSignal;
  /** Measurements worth reporting even when the case passes (e.g. UDP loss). */
  readonly notes: string[];
  /** What a capacity step measured, raw: results.json keeps it and the HTML report draws it. */
  readonly measurements: Measurement[];
  /** Starts server instances for the lifecycle steps; absent when sockspec does not run the target. */
  readonly launcher?: Launcher;
  /** The run's chat profile (its join exchange and {{variables}}), read the first time a step asks. */
  profile(): Profile;
  /** In a client suite: the client under test, which `start-client` runs against the case's server side. */
  readonly client?: ClientCommand;
  /** The link to a server in a network namespace, for the network step; absent for other targets. */
  readonly network?: CaseNetwork;
  /** The case's packet capture (--capture, or a wire check's need): the wire checks read it. */
  readonly capture?: CaseCapture;
}

/** What one step sees when it runs. */
export interface StepContext {
  readonly run: CaseRun;
  readonly scope: ConnectionScope;
  /** The seed a random payload uses when the suite gives none: distinct per case, client and step. */
  readonly seed: string;
  /** Where the step is, for messages: `4`, or `6.2` inside a parallel or repeat step. */
  readonly path: string;
  /**
   * Runs nested steps (for parallel and repeat) in the given scope: steps as the loader checked
   * them (each a registry.ts Step), which a step holding them need not know the kinds of.
   */
  runSteps(steps: readonly unknown[], scope: ConnectionScope, pathPrefix: string, seedPrefix?: string): Promise<void>;
  /**
   * For a step that holds something past its own end (a server instance, the fault proxy, a held
   * port): `release` runs when the case ends, whatever its verdict, after the clean-ups registered
   * later (last in, first out). Register before the start is awaited, with a release that awaits
   * it, so what the case deadline cut short is still released once it has started.
   */
  onCleanup(release: () => Promise<void>): void;
}

/*
 * A step's durations go through these, which is where the run's time scale applies: what the suite
 * gives as patience (a `timeout`, a `within`, a `tolerance`) is scaled; a duration the rule is about
 * (an idle timeout, a `sleep`, a `for`) is read with toMs and never passes here.
 */

/** A duration in the suite's form (250, "2s"). */
type SuiteDuration = number | string;

/** How long the step may wait: its `timeout` (or another wait it names), else the case's step timeout; scaled. */
export function stepTimeoutMs(ctx: { run: CaseRun }, timeout: SuiteDuration | undefined): number {
  return timeout === undefined ? ctx.run.stepTimeout : deadlineMs(toMs(timeout), ctx.run.timeScale);
}

/** The step's timeout as an absolute deadline (Date.now()), never past the case's. */
export function deadlineFor(ctx: { run: CaseRun }, timeout: SuiteDuration | undefined): number {
  return Math.min(Date.now() + stepTimeoutMs(ctx, timeout), ctx.run.caseDeadline);
}

/** The step's timeout as patience: how long it may wait without progress. */
export function patienceFor(ctx: { run: CaseRun }, timeout: SuiteDuration | undefined): Patience {
  return new Patience(stepTimeoutMs(ctx, timeout), ctx.run.caseDeadline, ctx.run.signal);
}

/** How far a timing check lets a measurement be off (a `tolerance`, a `slack`); scaled. */
export function toleranceFor(ctx: { run: CaseRun }, tolerance: SuiteDuration | undefined): number {
  return tolerance === undefined ? 0 : toleranceMs(toMs(tolerance), ctx.run.timeScale);
}

export function endpointFor(run: CaseRun, service: ServiceName | undefined): Endpoint {
  const name = service ?? run.service;
  const endpoint = run.endpoints[name];
  if (!endpoint) throw new SuiteUsageError(`the target offers no "${name}" service`);
  return endpoint;
}

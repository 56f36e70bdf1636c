import type { Endpoint, Endpoints, ServiceName } from '../targets/target';
import type { Transcript } from '../net/transcript';
import { SuiteUsageError } from '../verdict/failure';
import type { ConnectionScope } from './scope';
import type { Step } from '../steps/registry';
import { Patience } from '../net/waiter';
import type { Instance, Launcher } from '../targets/launcher';
import type { FaultProxy } from '../faults/proxy';
import type { CaseNetwork } from '../netns/case-network';

/** What every step of one case run shares. */
export interface CaseRun {
  readonly suite: string;
  readonly caseId: string;
  /** What this run of the case derives its random choices from: run seed, suite, case, repetition. */
  readonly seed: string;
  readonly service: ServiceName;
  readonly endpoints: Endpoints;
  readonly transcript: Transcript;
  /** Default deadline for one step, in ms. */
  readonly stepTimeout: number;
  /** The case's total deadline in ms, and the absolute time (Date.now()) it falls at. */
  readonly caseTimeout: number;
  readonly caseDeadline: number;
  /** Aborted when the case deadline passes, so every wait ends with it. */
  readonly signal: AbortSignal;
  /** Measurements worth reporting even when the case passes (e.g. UDP loss). */
  readonly notes: string[];
  /** Starts server instances for the lifecycle steps; absent when sockspec does not run the target. */
  readonly launcher?: Launcher;
  /** Server instances and held ports the lifecycle steps made; released when the case ends. */
  readonly lifecycle: LifecycleState;
  /** The link to a server in a network namespace, for the network step; absent for other targets. */
  readonly network?: CaseNetwork;
}

export interface LifecycleState {
  instances: Map<string, Instance>;
  /** Starts under way (see registerWhenStarted); the clean-up waits for them before it stops the rest. */
  starting: Set<Promise<unknown>>;
  /** The port of the most recent launch, for "start again on the same port". */
  lastPort?: number;
  /** A port sockspec holds itself, to start a server on a port that is taken. */
  held?: { port: number; release(): Promise<void> };
  /** The fault proxy the faults step put in front of the service. */
  proxy?: FaultProxy;
}

/** What one step sees when it runs. */
export interface StepContext {
  readonly run: CaseRun;
  readonly scope: ConnectionScope;
  /** The seed a random payload uses when the suite gives none: distinct per case, client and step. */
  readonly seed: string;
  /** Where the step is, for messages: `4`, or `6.2` inside a parallel or repeat step. */
  readonly path: string;
  /** Runs nested steps (for parallel and repeat) in the given scope. */
  runSteps(steps: readonly Step[], scope: ConnectionScope, pathPrefix: string, seedPrefix?: string): Promise<void>;
}

export function deadlineFor(ctx: { run: CaseRun }, timeoutMs: number | undefined): number {
  return Math.min(Date.now() + (timeoutMs ?? ctx.run.stepTimeout), ctx.run.caseDeadline);
}

/** The step's timeout as patience: how long it may wait without progress. */
export function patienceFor(ctx: { run: CaseRun }, timeoutMs: number | undefined): Patience {
  return new Patience(timeoutMs ?? ctx.run.stepTimeout, ctx.run.caseDeadline, ctx.run.signal);
}

export function endpointFor(run: CaseRun, service: ServiceName | undefined): Endpoint {
  const name = service ?? run.service;
  const endpoint = run.endpoints[name];
  if (!endpoint) throw new SuiteUsageError(`the target offers no "${name}" service`);
  return endpoint;
}

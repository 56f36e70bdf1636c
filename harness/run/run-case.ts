import { setMaxListeners } from 'node:events';
import { Transcript } from '../net/transcript';
import type { Endpoints } from '../targets/target';
import { peerOf, type Case, type Level, type Peer, type Suite } from '../suite/schema';
import { MAX_DURATION_MS, toMs } from '../vocabulary/units';
import { deadlineMs, UNSCALED, type TimeScale } from '../vocabulary/time-scale';
import { stepKind, type Step } from '../steps/registry';
import { CaptureLoss, NoEvidence, StepFailure, SuiteUsageError } from '../verdict/failure';
import type { CaseRun, StepContext } from '../steps/context';
import { ConnectionScope } from '../steps/support/scope';
import type { Launcher } from '../targets/launcher';
import { CaseNetwork } from '../netns/case-network';
import type { LinkConditions } from '../netns/conditions';
import { attribute, type Attribution } from './attribution';
import { caseSeedName, type CaseSeed } from './seed';
import { cleanUp, type Cleanup } from './clean-up';
import { cachedProfile, DEFAULT_PROFILE } from '../suite/profile';
import type { Profile } from '../steps/support/profile';
import type { ClientCommand } from '../targets/client-command';
import type { Measurement } from '../vocabulary/measurement';
import type { CaptureFiles } from '../capture/packet-capture';
import { CaseCapture, type LanePacket } from '../capture/case-capture';
import { endCaseCapture, offLoopback, startCapture, usesWire, type CaptureSettings } from './case-capture';

export const DEFAULT_STEP_TIMEOUT = 2000;
export const DEFAULT_CASE_TIMEOUT = 30_000;
export interface CaseOutcome {
  suite: string;
  caseId: string;
  title: string;
  level: Level;
  ref: string;
  requirement: string;
  /** Which side of its service the case checks (the suite's `peer`). */
  peer: Peer;
  verdict: 'pass' | 'fail';
  /** When it started (Date.now()), to match what the server printed meanwhile. */
  startedAt: number;
  durationMs: number;
  /** Set when the verdict is fail because of what the server did. */
  failure?: StepFailure;
  /** Set when the verdict is fail because the suite asked for something impossible: an error of the suite, not the server's failure. */
  suiteError?: SuiteUsageError;
  /** The rules the case cites (`rules:`). */
  rules: string[];
  /** With a failure of a case citing rules: the rules it breaks, or that it failed before checking them. */
  attribution?: Attribution;
  notes: string[];
  measurements: Measurement[];
  transcript: Transcript;
  /** The run seed and the repetition this outcome is of: with them the run can be replayed. */
  seed: CaseSeed;
  /** The case's packet capture and TLS key log, when the run kept them (--capture). */
  capture?: CaptureFiles;
  /** For a failure: what the capture shows that explains it, one sentence each. */
  why?: string[];
  /** For a failure: the first packets of its connections, for the report's packet lane. */
  packets?: LanePacket[];
}

/** The seed of a case run by itself (a project's test calling runCase): fixed, so it repeats. */
const FIXED_SEED: CaseSeed = { run: 0, repetition: 1 };

export interface RunOptions {
  /** Overrides every step deadline the suite sets (used to keep the project's own tests fast); scaled like them. */
  stepTimeout?: number;
  /** The run's patience (--time-scale, --no-timeouts); default the suite's durations as written. */
  timeScale?: TimeScale;
  /** Starts server instances for lifecycle cases (builtin or command targets). */
  launcher?: Launcher;
  /** The veth pair of a server in a network namespace, for cases with network steps. */
  network?: LinkConditions;
  /** What the case's random choices derive from; default run seed 0, first repetition. */
  seed?: CaseSeed;
  /** In a client suite: the client under test, run by the cases' `start-client` steps. */
  client?: ClientCommand;
  /** The run's chat profile, asked for the first time a step uses it; default the sockspec-chat one. */
  profile?: () => Profile;
  /** Which captures to keep and where (--capture); a case with wire checks is captured anyway. */
  capture?: CaptureSettings;
}

/**
 * Deadlines of a case, from the case, else the suite's defaults, else sockspec's, scaled by the
 * run's time scale. A case that waits out the idle timeout the target declares (`needs:
 * [idle-timeout]`) gets that time on top, unscaled (it is the rule): its own deadline is written
 * for the time its steps take besides.
 */
export function caseTimeouts(suite: Suite, c: Case, idleTimeoutMs?: number, clientTimeoutMs?: number, timeScale: TimeScale = UNSCALED): { step: number; total: number } {
  const step = c.stepTimeout ?? suite.defaults?.stepTimeout;
  const total = c.timeout ?? suite.defaults?.caseTimeout;
  const waitsOutIdleTimeout = c.needs?.includes('idle-timeout') ? (idleTimeoutMs ?? 0) : 0;
  // A case that waits for the client to give up waits its declared timeout on top of its own.
  const waitsOutClientTimeout = c.needs?.includes('client-timeout') ? (clientTimeoutMs ?? 0) : 0;
  const ownTotal = deadlineMs(total === undefined ? DEFAULT_CASE_TIMEOUT : toMs(total), timeScale);
  return {
    step: deadlineMs(step === undefined ? DEFAULT_STEP_TIMEOUT : toMs(step), timeScale),
    // A timer takes at most MAX_DURATION_MS; a longer one would fire at once.
    total: Math.min(ownTotal + waitsOutIdleTimeout + waitsOutClientTimeout, MAX_DURATION_MS),
  };
}

/**
 * How many times a case may run: twice when it has wire checks, for a first run whose capture
 * could not be trusted (CaptureLoss: tcpdump fell behind a busy machine) says nothing of the server.
 */
export function caseAttempts(c: Case): number {
  return usesWire(c) ? 2 : 1;
}

/** Runs one case against the endpoints; never throws for a server's misbehaviour, only reports it. */
export async function runCase(suite: Suite, c: Case, endpoints: Endpoints, options: RunOptions = {}): Promise<CaseOutcome> {
  const first = await runCaseOnce(suite, c, endpoints, options);
  if (!(first.failure instanceof CaptureLoss) || caseAttempts(c) < 2) return first;
  const again = await runCaseOnce(suite, c, endpoints, options);
  again.notes.unshift(`run a second time: the first run's packet capture could not be trusted (${first.failure.summary})`);
  return again;
}

async function runCaseOnce(suite: Suite, c: Case, endpoints: Endpoints, options: RunOptions): Promise<CaseOutcome> {
  const timeScale = options.timeScale ?? UNSCALED;
  const timeouts = caseTimeouts(suite, c, endpoints[suite.service]?.idleTimeoutMs, options.client?.timeoutMs, timeScale);
  const notes: string[] = [];
  // Started before the case's clock: tcpdump's start is not the case's time.
  const packets = await startCapture(c, options.capture, offLoopback(options.network !== undefined, endpoints[suite.service]?.host), notes);
  const started = Date.now();
  const abort = new AbortController();
  // Every waiting step of every parallel client listens for the case deadline.
  setMaxListeners(0, abort.signal);
  const timer = setTimeout(() => abort.abort(), timeouts.total);
  const transcript = new Transcript();
  const capture = packets && new CaseCapture(packets, transcript, started);
  const seed = options.seed ?? FIXED_SEED;
  const run: CaseRun = {
    suite: suite.suite,
    caseId: c.id,
    seed: caseSeedName(seed, suite.suite, c.id),
    service: suite.service,
    // Lifecycle steps point the service at the instances they start, for this case only.
    endpoints: { ...endpoints },
    transcript,
    stepTimeout: options.stepTimeout === undefined ? timeouts.step : deadlineMs(options.stepTimeout, timeScale),
    timeScale,
    caseTimeout: timeouts.total,
    caseDeadline: started + timeouts.total,
    signal: abort.signal,
    notes,
    measurements: [],
    launcher: options.launcher,
    profile: options.profile ?? (() => cachedProfile(DEFAULT_PROFILE)),
    client: options.client,
    network: options.network && new CaseNetwork(options.network, transcript, notes),
    capture,
  };
  const scope = new ConnectionScope();
  const cleanups: Cleanup[] = [];
  let failure: StepFailure | undefined;
  let suiteError: SuiteUsageError | undefined;
  try {
    await runSteps(run, cleanups, c.steps, scope, '', run.seed);
  } catch (err) {
    if (err instanceof SuiteUsageError) suiteError = err;
    else failure = err instanceof StepFailure ? err : new StepFailure(`internal error: ${(err as Error).stack ?? err}`);
  } finally {
    clearTimeout(timer);
    // The next case, on the same server, must not meet this one's connections.
    await scope.closeAll(run.stepTimeout);
    await cleanUp(cleanups).catch((err: Error) => {
      failure ??= new StepFailure(`could not release what the case held: ${err.message}`);
    });
    // A condition found not in force when it was lifted is a StepFailure of its own.
    await run.network?.end().catch((err: Error) => {
      failure ??= err instanceof StepFailure ? err : new StepFailure(`could not clear the network conditions: ${err.message}`);
    });
  }
  // The capture's end (a decode, a copy) is not the case's time.
  const durationMs = Date.now() - started;
  const wire = capture && (await endCaseCapture(capture, failure !== undefined || suiteError !== undefined, options.capture, { suite: suite.suite, caseId: c.id, repetition: seed.repetition, endpoints: [endpoints, run.endpoints] }));
  return {
    suite: suite.suite,
    caseId: c.id,
    title: c.title,
    level: c.level ?? 'must',
    ref: c.ref,
    requirement: c.requirement,
    peer: peerOf(suite),
    verdict: failure || suiteError ? 'fail' : 'pass',
    startedAt: started,
    durationMs,
    failure,
    suiteError,
    rules: c.rules ?? [],
    attribution: failure && attribute(c, failure.step?.path, failure instanceof NoEvidence),
    notes: run.notes,
    measurements: run.measurements,
    transcript: run.transcript,
    seed,
    capture: wire?.files,
    why: wire?.why.length ? wire.why : undefined,
    packets: wire?.packets.length ? wire.packets : undefined,
  };
}

async function runSteps(run: CaseRun, cleanups: Cleanup[], steps: readonly Step[], scope: ConnectionScope, pathPrefix: string, seedPrefix: string): Promise<void> {
  for (const [i, step] of steps.entries()) {
    const path = pathPrefix ? `${pathPrefix}.${i + 1}` : `${i + 1}`;
    const [name, params] = Object.entries(step)[0];
    const kind = stepKind(name);
    if (!kind) throw new StepFailure(`unknown step "${name}"`);
    const location = { path, description: kind.describe(params) };
    const ctx: StepContext = {
      run,
      scope,
      seed: `${seedPrefix}:${path}`,
      path,
      runSteps: (nested, nestedScope, nestedPath, nestedSeed) =>
        runSteps(run, cleanups, nested as Step[], nestedScope, nestedPath, nestedSeed ? `${ctx.seed}/${nestedSeed}` : seedPrefix),
      onCleanup: (release) => cleanups.push(release),
    };
    try {
      // Not started once the deadline has passed: the step's own failure would have no one to hear it.
      if (run.signal.aborted) throw deadlinePassed(run);
      await untilCaseDeadline(kind.run(params, ctx), run);
    } catch (err) {
      if (err instanceof StepFailure || err instanceof SuiteUsageError) {
        err.step ??= location;
        throw err;
      }
      throw new StepFailure(`internal error in step ${path} (${location.description}): ${(err as Error).stack ?? err}`, [], location);
    }
  }
}

/** Ends a step that ignores the case's abort signal when the case deadline passes. */
function untilCaseDeadline(work: Promise<void>, run: CaseRun): Promise<void> {
  if (run.signal.aborted) return Promise.reject(deadlinePassed(run));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(deadlinePassed(run));
    run.signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => run.signal.removeEventListener('abort', onAbort));
  });
}

function deadlinePassed(run: CaseRun): StepFailure {
  return new StepFailure(`the case deadline of ${run.caseTimeout} ms passed`);
}

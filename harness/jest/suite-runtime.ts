import { loadSuite } from '../suite/load';
import type { Case, Level } from '../suite/schema';
import { caseAttempts, caseTimeouts, runCase } from '../run/run-case';
import type { CommandTargetOptions } from '../targets/command';
import { TargetError, type Endpoint, type Endpoints, type Target } from '../targets/target';
import type { ContainerTargetOptions } from '../targets/container';
import { declareCapacity, declareEndpoints, declaredEndpoint } from '../targets/declarations';
import { checkedTargetSpec, targetKind, withScaledStart, type ExtensionTargetSpec, type TargetSpec } from '../targets/registry';
import { appendRecord, combineRepetitions, toRecord, type OutcomeRecord } from '../report/outcome-record';
import { failsRun } from '../report/verdict';
import { newRunSeed } from '../run/seed';
import { envTimeScale, inPart, readSettings, timeScaleOf } from './settings';
import { MAX_DURATION_MS } from '../vocabulary/units';
import { timeScaleProblem } from '../vocabulary/time-scale';
import { filterSelects, testTitle } from '../suite/case-title';
import { undeclaredCapacity, unmetNeed } from '../run/needs';
import { deadTargetRecord, skipRecord, unstartedMessage, unstartedRecord } from '../report/outcome-record';
import { NamespaceTarget } from '../netns/netns-target';
import { attemptCaptureSkip, networkSkip, synDropSkip, usesNetwork } from '../run/network-needs';
import { deadTargetCheck } from './dead-target';
import type { TargetExit } from '../targets/target-exit';
import { cachedProfile, DEFAULT_PROFILE } from '../suite/profile';
import { peerFit } from '../run/peer-fit';
import { runsSideBySide } from '../run/side-by-side';
import { clientCommandProblem } from '../targets/client-command';
import { VIEW_MS, wireSkip } from '../run/case-capture';
import { SYNC_MS } from '../capture/packet-stream';
import type { CaptureMode } from '../capture/case-capture';

/**
 * Time jest allows a test beyond the case's own deadline, so the case reports its own timeout:
 * its clean-up (closing its connections takes up to a step timeout) and the end of its packet
 * capture (tcpdump catching up, 5 s at most, and a failed case's wire view, VIEW_MS) come after it.
 */
const JEST_MARGIN_MS = 5000 + SYNC_MS + VIEW_MS;

/** The removal of a case's own namespace: its server's stop (3 s at most), then the link and the namespace deleted. */
const NAMESPACE_STOP_MS = 5000;

/** For use from a project's own jest tests: the server to check, instead of the builtin ones. */
export interface SuiteTestOptions {
  /** The target, of any kind (targets/registry.ts), with what it declares. */
  target?: TargetSpec | ExtensionTargetSpec;
  /** Or a command sockspec starts (`{port}` and the certificate placeholders are substituted). */
  command?: CommandTargetOptions;
  /** Or a server image: one container for the suite file, more for its lifecycle cases. */
  image?: ContainerTargetOptions;
  /** With command or image: the idle timeout the server declares, in ms (the timeouts suite's idle cases need it). */
  idleTimeoutMs?: number;
  /** A failed `should` case fails its test, as `sockspec run --strict` fails the run; otherwise it is tolerated. */
  strict?: boolean;
  /** The seed of the cases' random choices, to replay a run; by default each suite file draws one. */
  seed?: number;
  /** Multiplies every deadline and tolerance that is not the rule under test, as --time-scale (default SOCKSPEC_TIME_SCALE, else 1). */
  timeScale?: number;
  /** No step or case deadline at all, as --no-timeouts: for stepping through a case in a debugger. */
  noTimeouts?: boolean;
  /** Keep the packet captures of failed cases, or of all, as --capture; in `captureDir` (SUITE/CASE.pcap). */
  capture?: CaptureMode;
  captureDir?: string;
}

/**
 * The part of jest's test-file API the tests of a suite file are defined with. A project's own test
 * file has it as globals; a suite file hands it over from its own sandbox (suite-environment.ts),
 * since this module is then loaded outside any test file and sees none of the sandbox's globals.
 */
export interface JestApi {
  describe: typeof describe;
  test: typeof test;
  beforeAll: typeof beforeAll;
  afterAll: typeof afterAll;
  retryTimes(retries: number): void;
  /** The test file's console, whose output jest shows under the file. */
  console: Pick<Console, 'info' | 'warn'>;
}

/**
 * Turns one suite file into jest tests: describe(suite) with one test per case. Called by a
 * project's own test file with a target to test, or (through defineSuiteTestsWith) by the code the
 * YAML transform generates, the target then coming from the CLI through the environment.
 */
export function defineSuiteTests(file: string, options: SuiteTestOptions = {}): void {
  defineSuiteTestsWith({ describe, test, beforeAll, afterAll, retryTimes: (retries) => jest.retryTimes(retries), console }, file, options);
}

/**
 * defineSuiteTests with the test file's jest API given. It runs at module load, so everything here
 * is synchronous until the tests run.
 *
 * A test fails exactly when its case fails the run (report/verdict.ts), so jest, the CLI's exit
 * code and the reports agree; a tolerated failure passes its test with a warning saying so.
 */
export function defineSuiteTestsWith(api: JestApi, file: string, options: SuiteTestOptions = {}): void {
  const { describe, test, beforeAll, afterAll, console } = api;
  const given = givenSpec(options);
  const settings = given ? readSettings({}) : readSettings();
  const loaded = loadSuite(file);
  // A run in two parts defines here only this part's cases; the other part's jest run defines the rest.
  const suite = { ...loaded, cases: loaded.cases.filter((c) => inPart(c, settings.part)) };
  const problem = options.timeScale === undefined ? undefined : timeScaleProblem(String(options.timeScale), 'timeScale');
  if (problem) throw new Error(`sockspec: ${problem}`);
  // How patient the machine needs sockspec to be is not the target's business: SOCKSPEC_TIME_SCALE
  // applies to a target given here too.
  const timeScale = timeScaleOf({ timeScale: options.timeScale ?? settings.timeScale ?? envTimeScale(), noTimeouts: options.noTimeouts ?? settings.noTimeouts });
  // The CLI's spec comes scaled already.
  const spec: TargetSpec = (given && withScaledStart(given, timeScale)) ?? settings.target?.spec ?? { kind: 'builtin' };
  const kind = targetKind(spec);
  const unfit = kind.unfit?.(spec, suite.service, suite.suite);
  if (unfit) throw new Error(`sockspec: ${unfit}`);
  const client = kind.client?.(spec);
  const fit = peerFit(suite, spec.kind, client !== undefined);
  if (fit.mismatch) throw new Error(`sockspec: ${fit.mismatch}`);
  const clientProblem = client && clientCommandProblem(client.command);
  if (clientProblem) throw new Error(`sockspec: ${clientProblem}`);
  // The target this file starts itself: the one it was given, or one the CLI leaves to each suite file (builtin).
  const startsOwn = fit.skipReason === undefined && (given !== undefined || settings.target?.endpoints === undefined);
  let own: Target | undefined;
  let endpoints: Endpoints = settings.target?.endpoints ?? {};
  // Lifecycle cases start instances of their own, from the same spec.
  const launcher = kind.launcher?.(spec, suite.service);
  const sideBySide = (c: Case) => runsSideBySide(suite, c, { together: settings.part === 'together', targetKind: spec.kind });
  // Cases with network steps run against a second instance, inside a network namespace: the
  // file's, one case at a time, or a namespace of the case's own when it runs side by side.
  const movable = kind.movable?.(spec);
  const namespaced = movable && suite.cases.some((c) => usesNetwork(c) && !networkSkip(c, true) && !sideBySide(c)) ? new NamespaceTarget(movable) : undefined;
  let namespacedEndpoints: Endpoints = {};
  // A namespaced server that did not start fails the network cases, each with the reason.
  let namespacedFailure: TargetError | undefined;
  // Why a namespaced server did not start; anything but a TargetError is sockspec's own bug.
  const startFailure = (err: unknown): TargetError => {
    if (!(err instanceof TargetError)) throw err;
    return err;
  };
  // The two starts run one after the other.
  const startBudgetMs = (startsOwn ? kind.startBudgetMs(spec) : 0) + (namespaced?.startBudgetMs([suite.service]) ?? 0);
  // The reference servers declare their own; another target declares what it was told.
  const selfDeclared = kind.selfDeclared?.(suite.service);
  const declared: Endpoint | undefined = startsOwn ? declaredEndpoint(suite.service, spec.declared) : settings.target?.endpoints?.[suite.service];
  const declaredIdleTimeoutMs = selfDeclared ? selfDeclared.idleTimeoutMs : declared?.idleTimeoutMs;
  const strict = options.strict ?? settings.strict ?? false;
  // Failure messages name it, so a run without a given seed can still be replayed.
  const seed = options.seed ?? settings.seed ?? newRunSeed();
  const repeat = settings.repeat ?? 1;
  let targetExited: () => TargetExit | undefined = deadTargetCheck(settings.outcomesDir, undefined);

  if (settings.retries) api.retryTimes(settings.retries);
  describe(suite.suite, () => {
    beforeAll(async () => {
      if (startsOwn) {
        own = await kind.create(spec, [suite.service]);
        targetExited = deadTargetCheck(settings.outcomesDir, own);
        const started = await own.start([suite.service]);
        endpoints = selfDeclared ? declareCapacity(started, spec.declared) : declareEndpoints(started, spec.declared);
      }
      if (namespaced) namespacedEndpoints = await namespaced.start([suite.service]).catch((err: unknown) => ((namespacedFailure = startFailure(err)), {}));
    }, jestTimeout(startBudgetMs));
    afterAll(async () => {
      await own?.stop();
      await namespaced?.stop();
      await launcher?.dispose?.();
    });

    const skipped: string[] = [];
    for (const c of suite.cases) {
      const level = c.level ?? 'must';
      const title = testTitle(c.id, c.title, level);
      // The builtin servers declare everything but their capacity; another target declares what it was told.
      const skip = fit.skipReason ?? (selfDeclared ? undeclaredCapacity(c, declared) : unmetNeed(c, declared, launcher, client)) ?? networkSkip(c, movable !== undefined) ?? synDropSkip(c) ?? attemptCaptureSkip(c) ?? wireSkip(c);
      if (skip) {
        // The reason stays out of the test name, which must not change with the flags. A skipped
        // test never meets jest's name filter, so the one --filter leaves out is dropped here.
        if (settings.outcomesDir && filterSelects(settings.filter, suite.suite, title)) appendRecord(settings.outcomesDir, skipRecord(suite, c, skip));
        skipped.push(`  ${c.id}: ${skip}`);
        test.skip(title, () => undefined);
        continue;
      }
      // A network case side by side with others gets a namespace of its own, new for each attempt (jest's retries included).
      const ownNamespace = movable && usesNetwork(c) && sideBySide(c) ? () => new NamespaceTarget(movable) : undefined;
      // Its budget from one made for the asking: a NamespaceTarget does nothing until started.
      const namespaceBudgetMs = ownNamespace ? ownNamespace().startBudgetMs([suite.service]) + NAMESPACE_STOP_MS : 0;
      // jest runs a file's concurrent tests together, where the first of them stands, up to its maxConcurrency at once.
      const runTest = sideBySide(c) ? test.concurrent : test;
      runTest(title, async () => {
        const caseNamespace = ownNamespace?.();
        try {
          await runOne(c, caseNamespace);
        } finally {
          await caseNamespace?.stop();
        }
      }, jestTimeout(namespaceBudgetMs + repeat * caseAttempts(c) * caseTimeouts(suite, c, declaredIdleTimeoutMs, client?.timeoutMs, timeScale).total));
    }
    // jest shows no reason for a skipped test; the CLI prints it from the case records.
    if (skipped.length) console.info(`${suite.suite}: ${skipped.length} case(s) skipped:\n${skipped.join('\n')}`);
  });

  /** One case's test: against the file's server, or for a network case a namespaced one (the case's own, `caseNamespace`, is started here). */
  async function runOne(c: Case, caseNamespace: NamespaceTarget | undefined): Promise<void> {
    const level = c.level ?? 'must';
    let caseEndpoints = endpoints;
    let unstarted: TargetError | undefined;
    if (usesNetwork(c)) {
      caseEndpoints = caseNamespace ? await caseNamespace.start([suite.service]).catch((err: unknown) => ((unstarted = startFailure(err)), {})) : namespacedEndpoints;
      if (!caseNamespace) unstarted = namespacedFailure;
    }
    // A network case runs against a server of its own, in a namespace.
    const exited = usesNetwork(c) ? undefined : targetExited();
    if (exited) {
      const record = deadTargetRecord(suite, c, exited);
      if (settings.outcomesDir) appendRecord(settings.outcomesDir, record);
      throw plainError(record.message as string);
    }
    if (unstarted) {
      if (settings.outcomesDir) appendRecord(settings.outcomesDir, unstartedRecord(suite, c, unstarted));
      throw plainError(unstartedMessage(unstarted));
    }
    const network = usesNetwork(c) ? (caseNamespace ?? namespaced)?.conditions : undefined;
    const records: OutcomeRecord[] = [];
    for (let repetition = 1; repetition <= repeat; repetition++) {
      const profile = () => cachedProfile(settings.profile ?? DEFAULT_PROFILE);
      const outcome = await runCase(suite, c, caseEndpoints, { stepTimeout: settings.stepTimeout, timeScale, launcher, network, client, seed: { run: seed, repetition }, profile, capture: { mode: options.capture ?? settings.capture, dir: options.captureDir ?? settings.captureDir, tempDir: settings.outcomesDir } });
      const record = toRecord(outcome, settings.transcripts || outcome.verdict === 'fail', repeat);
      if (settings.outcomesDir) appendRecord(settings.outcomesDir, record);
      records.push(record);
    }
    const result = repeat > 1 ? combineRepetitions(records) : records[0];
    if (result.verdict !== 'fail') return;
    if (failsRun(result, strict)) throw plainError(result.message ?? 'failed');
    // jest knows no "failed but tolerated": the test passes, and jest prints this under the file.
    console.warn(`tolerated (${toleratedWhy(level)}): ${result.message}`);
  }
}

/** jest's timeout for a hook or test that takes up to `ms`: a timer longer than MAX_DURATION_MS would fire at once. */
function jestTimeout(ms: number): number {
  return Math.min(ms + JEST_MARGIN_MS, MAX_DURATION_MS);
}

/**
 * The target a project's own test file gives: a spec, or (the older form) a command or an image
 * with its idle timeout. A spec that is not one is the caller's mistake, said in one line.
 */
function givenSpec(options: SuiteTestOptions): TargetSpec | undefined {
  const declared = options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs };
  if (options.command) {
    const { command, readyLog, host, startTimeoutMs, tls } = options.command;
    return checkedTargetSpec({ kind: 'command', command, readyLog: source(readyLog), host, startTimeoutMs, declared: { ...declared, tls } });
  }
  if (options.image) {
    const { image, ports, env, readyLog, startupTimeoutMs, command } = options.image;
    const services = Object.fromEntries(Object.entries(ports).map(([service, port]) => [service, port?.port]));
    const tls = Object.values(ports).find((port) => port?.tls)?.tls;
    return checkedTargetSpec({ kind: 'image', image, services, env, command, readyLog: source(readyLog), startTimeoutMs: startupTimeoutMs, declared: { ...declared, tls } });
  }
  return options.target && checkedTargetSpec(options.target);
}

/** A ready-log pattern travels as its source (a RegExp does not survive JSON). */
function source(readyLog: RegExp | string | undefined): string | undefined {
  return readyLog instanceof RegExp ? readyLog.source : readyLog;
}

function toleratedWhy(level: Level): string {
  return level === 'info' ? 'an info case only measures' : 'a should case fails only with strict';
}

/** An error whose stack is its message: the evidence is the transcript, not sockspec's call stack. */
function plainError(message: string): Error {
  const error = new Error(message);
  error.stack = error.message;
  return error;
}

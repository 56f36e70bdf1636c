import { loadSuite } from '../suite/load';
import type { Level, Suite } from '../suite/schema';
import { caseTimeouts, runCase } from '../run/run-case';
import { BuiltinLauncher, BuiltinTarget } from '../targets/builtin';
import { REFERENCE_SERVERS } from '../servers/catalog';
import { CommandLauncher, CommandTarget, DEFAULT_START_TIMEOUT_MS, type CommandTargetOptions } from '../targets/command';
import { SERVICE_TRANSPORT, TLS_SERVICES, TargetError, type Endpoints, type ServiceName, type Target } from '../targets/target';
import { runCertificateFiles } from '../containers/run-certificates';
import { DEFAULT_CONTAINER_STARTUP_TIMEOUT_MS } from '../containers/runtime';
import type { ContainerTargetOptions } from '../targets/container';
import type { Launcher } from '../targets/launcher';
import { appendRecord, combineRepetitions, toRecord, type OutcomeRecord } from '../report/outcome-record';
import { failsRun } from '../report/verdict';
import { newRunSeed } from '../run/seed';
import { readSettings } from './settings';
import { filterSelects, testTitle } from '../suite/case-title';
import { unmetNeed } from '../run/needs';
import { skipRecord, unstartedMessage, unstartedRecord } from '../report/outcome-record';
import { NamespaceTarget, type NamespacedServer } from '../netns/netns-target';
import { networkSkip, usesNetwork } from '../run/network-needs';
import { deadTargetCheck, deadTargetRecord } from './dead-target';
import { cachedProfile, DEFAULT_PROFILE } from '../suite/profile';

/** Time jest allows a test beyond the case's own deadline, so the case reports its own timeout. */
const JEST_MARGIN_MS = 5000;

/** For use from a project's own jest tests: the server to check, instead of the builtin ones. */
export interface SuiteTestOptions {
  /** A command sockspec starts (`{port}` and the certificate placeholders are substituted). */
  command?: CommandTargetOptions;
  /** Or a server image: one container for the suite file, more for its lifecycle cases. */
  image?: ContainerTargetOptions;
  /** The idle timeout the server declares, in ms (the timeouts suite's idle cases need it). */
  idleTimeoutMs?: number;
  /** A failed `should` case fails its test, as `sockspec run --strict` fails the run; otherwise it is tolerated. */
  strict?: boolean;
  /** The seed of the cases' random choices, to replay a run; by default each suite file draws one. */
  seed?: number;
}

/**
 * Turns one suite file into jest tests: describe(suite) with one test per case. Called by the code
 * the YAML transform generates (the target then comes from the CLI, through the environment), or
 * by a project's own test file with a command to test. It runs at module load, so everything here
 * is synchronous until the tests run.
 *
 * A test fails exactly when its case fails the run (report/verdict.ts), so jest, the CLI's exit
 * code and the reports agree; a tolerated failure passes its test with a warning saying so.
 */
export function defineSuiteTests(file: string, options: SuiteTestOptions = {}): void {
  const suite = loadSuite(file);
  const image = options.image && imageFor(options.image, suite);
  const settings = options.command
    ? { ...readSettings({}), launch: options.command }
    : image
      ? { ...readSettings({}), launchContainers: { [suite.service]: image } }
      : readSettings();
  let endpoints: Endpoints = settings.endpoints ?? {};
  // The target this file starts itself: the builtin servers, or the command or image it was given.
  const own = options.command ? new CommandTarget(options.command) : image ? containerTarget(image) : settings.endpoints ? undefined : new BuiltinTarget();
  // Lifecycle cases start instances of their own: reference servers, or the target's command.
  const launcher = own instanceof BuiltinTarget ? new BuiltinLauncher() : settings.launch ? new CommandLauncher(settings.launch) : containerLauncher(settings.launchContainers?.[suite.service]);
  // Cases with network steps run against a second instance, inside a network namespace.
  const movable: NamespacedServer | undefined = own instanceof BuiltinTarget ? { builtin: true } : settings.launch ? { command: settings.launch } : undefined;
  const namespaced = movable && suite.cases.some((c) => usesNetwork(c) && !networkSkip(c, true)) ? new NamespaceTarget(movable) : undefined;
  let namespacedEndpoints: Endpoints = {};
  // A namespaced server that did not start fails the network cases, each with the reason.
  let namespacedFailure: TargetError | undefined;
  const failedStart = (err: unknown): Endpoints => {
    if (!(err instanceof TargetError)) throw err;
    namespacedFailure = err;
    return {};
  };
  // The two starts run one after the other.
  const ownBudgetMs = image ? image.startupTimeoutMs ?? DEFAULT_CONTAINER_STARTUP_TIMEOUT_MS : settings.launch?.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const startBudgetMs = (own ? ownBudgetMs : 0) + (namespaced?.startBudgetMs([suite.service]) ?? 0);
  const given = options.command?.tls ?? image?.ports[suite.service]?.tls;
  const declared =
    options.command || image
      ? { host: '', port: 0, transport: SERVICE_TRANSPORT[suite.service], tls: given, idleTimeoutMs: options.idleTimeoutMs }
      : settings.endpoints?.[suite.service];
  const declaredIdleTimeoutMs = own instanceof BuiltinTarget ? REFERENCE_SERVERS[suite.service].idleTimeoutMs : declared?.idleTimeoutMs;
  const strict = options.strict ?? settings.strict ?? false;
  // Failure messages name it, so a run without a given seed can still be replayed.
  const seed = options.seed ?? settings.seed ?? newRunSeed();
  const repeat = settings.repeat ?? 1;
  const targetExited = deadTargetCheck(settings.outcomesDir, own);

  if (settings.retries) jest.retryTimes(settings.retries);
  describe(suite.suite, () => {
    beforeAll(async () => {
      // An image serving TLS gets the run's certificates, as --image does (docs/containers.md).
      if (image && TLS_SERVICES.includes(suite.service)) image.files = await runCertificateFiles();
      if (own) endpoints = declareIdleTimeout(await own.start([suite.service]), suite.service, options.idleTimeoutMs);
      if (namespaced) namespacedEndpoints = await namespaced.start([suite.service]).catch(failedStart);
    }, startBudgetMs + JEST_MARGIN_MS);
    afterAll(async () => {
      await own?.stop();
      await namespaced?.stop();
      if (launcher instanceof CommandLauncher) await launcher.dispose();
    });

    const skipped: string[] = [];
    for (const c of suite.cases) {
      const level = c.level ?? 'must';
      const title = testTitle(c.id, c.title, level);
      // The builtin servers declare everything; another target declares what it was told.
      const skip = (own instanceof BuiltinTarget ? undefined : unmetNeed(c, declared, launcher)) ?? networkSkip(c, movable !== undefined);
      if (skip) {
        // The reason stays out of the test name, which must not change with the flags. A skipped
        // test never meets jest's name filter, so the one --filter leaves out is dropped here.
        if (settings.outcomesDir && filterSelects(settings.filter, suite.suite, title)) appendRecord(settings.outcomesDir, skipRecord(suite, c, skip));
        skipped.push(`  ${c.id}: ${skip}`);
        test.skip(title, () => undefined);
        continue;
      }
      test(title, async () => {
        // A network case runs against a server of its own, in a namespace.
        const exited = namespaced && usesNetwork(c) ? undefined : targetExited();
        if (exited) {
          const record = deadTargetRecord(suite, c, exited);
          if (settings.outcomesDir) appendRecord(settings.outcomesDir, record);
          throw plainError(record.message as string);
        }
        if (namespacedFailure && usesNetwork(c)) {
          if (settings.outcomesDir) appendRecord(settings.outcomesDir, unstartedRecord(suite, c, namespacedFailure));
          throw plainError(unstartedMessage(namespacedFailure));
        }
        const network = usesNetwork(c) ? namespaced?.conditions : undefined;
        const records: OutcomeRecord[] = [];
        for (let repetition = 1; repetition <= repeat; repetition++) {
          const profile = () => cachedProfile(settings.profile ?? DEFAULT_PROFILE);
          const outcome = await runCase(suite, c, network ? namespacedEndpoints : endpoints, { stepTimeout: settings.stepTimeout, launcher, network, seed: { run: seed, repetition }, profile });
          const record = toRecord(outcome, settings.transcripts || outcome.verdict === 'fail', repeat);
          if (settings.outcomesDir) appendRecord(settings.outcomesDir, record);
          records.push(record);
        }
        const result = repeat > 1 ? combineRepetitions(records) : records[0];
        if (result.verdict !== 'fail') return;
        if (failsRun(result, strict)) throw plainError(result.message ?? 'failed');
        // jest knows no "failed but tolerated": the test passes, and jest prints this under the file.
        console.warn(`tolerated (${toleratedWhy(level)}): ${result.message}`);
      }, repeat * caseTimeouts(suite, c, declaredIdleTimeoutMs).total + JEST_MARGIN_MS);
    }
    // jest shows no reason for a skipped test; the CLI prints it from the case records.
    if (skipped.length) console.info(`${suite.suite}: ${skipped.length} case(s) skipped:\n${skipped.join('\n')}`);
  });
}

/*
 * The container modules are loaded only for container targets: testcontainers alone takes ~0.3 s
 * to load, in every suite file.
 */
function containerLauncher(options: ContainerTargetOptions | undefined): Launcher | undefined {
  if (!options) return undefined;
  const { ContainerLauncher } = require('../targets/container-launcher') as typeof import('../targets/container-launcher');
  return new ContainerLauncher(options);
}

function containerTarget(options: ContainerTargetOptions): Target {
  const { ContainerTarget } = require('../targets/container') as typeof import('../targets/container');
  return new ContainerTarget(options);
}

/** The image's options for this suite file: its own copy, since certificate files are added to it. */
function imageFor(options: ContainerTargetOptions, suite: Suite): ContainerTargetOptions {
  if (!options.ports[suite.service]) throw new Error(`sockspec: image ${options.image} offers no ${suite.service} service, which the ${suite.suite} suite needs: add it to "services"`);
  return { ...options };
}

/** A command or image does not know the idle timeout its server keeps: the project declares it. */
function declareIdleTimeout(endpoints: Endpoints, service: ServiceName, idleTimeoutMs: number | undefined): Endpoints {
  const endpoint = endpoints[service];
  return idleTimeoutMs === undefined || !endpoint ? endpoints : { ...endpoints, [service]: { ...endpoint, idleTimeoutMs } };
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

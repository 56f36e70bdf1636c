import { removeThisRunsNamespaces } from '../netns/namespace';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCLI } from 'jest';
import type { Config } from '@jest/types';
import { suiteProject } from '../jest/config';
import { settingsEnv } from '../jest/settings';
import { declareEndpoints } from '../targets/declarations';
import { targetKind, withScaledStart } from '../targets/registry';
import { appendRecord, collapseAttempts, readRecords, skipRecord, type OutcomeRecord } from '../report/outcome-record';
import { filterSelects, testTitle } from '../suite/case-title';
import { targetExitMessage, writeTargetExit, type TargetExit } from '../targets/target-exit';
import { attachServerOutput } from '../report/server-output';
import { jestProblems } from '../report/jest-problems';
import { xmlText } from '../report/xml-text';
import { capLine, type PrintedLine } from '../targets/output-tail';
import { summaryLines } from '../report/summary';
import { loadSuite } from '../suite/load';
import { finishReports, type ReportFlags } from './run-reports';
import { readBaseline } from '../report/baseline';
import { CAPTURES_FOLDER } from '../report/results-json';
import { TargetError } from '../targets/target';
import { EXIT, UsageError } from './errors';
import { style } from '../report/style';
import { resolveSuiteFiles } from './suite-files';
import { declarationsFromFlags, parseMs, parseRegex, targetSpecFromFlags, type TargetFlags } from './target-option';
import { repeatFlag, seedFlag } from './repeat-flags';
import { timeScaleFlags } from './time-scale-flag';
import { describeTimeScale } from '../vocabulary/time-scale';
import { newRunSeed } from '../run/seed';
import { clientCommandMisfit, clientTimeoutMissing, peerFit } from '../run/peer-fit';
import { peerOf, type Suite } from '../suite/schema';
import { joinResults, suitePasses, workersFlag, type SuitePass } from './suite-passes';
import { childProcesses, processesExited } from './worker-exit';
import { captureFlag } from './capture-flag';

export interface RunFlags extends TargetFlags, ReportFlags {
  suite: string[];
  filter?: string;
  stepTimeout?: string;
  reports: string;
  transcripts: boolean;
  retries?: string;
  shard?: string;
  /** The run's seed (default: a random one, printed). */
  seed?: string;
  /** Run every case this many times and report its pass rate. */
  repeat?: string;
  /** How many suite files run side by side (default: the machine's cores); 1 runs them one after another. */
  workers?: string;
  /** Multiplies every deadline and tolerance that is not the rule under test (default SOCKSPEC_TIME_SCALE, else 1). */
  timeScale?: string;
  /** No step or case deadline at all, for stepping through a case in a debugger. */
  noTimeouts: boolean;
  /** --capture failed|all|off: keep the packet captures of failed cases, of all, or none. */
  capture?: string;
}

/**
 * `sockspec run`: check every suite file first (a malformed one stops the run before anything
 * starts), start the target, let jest run the suite files, then summarise and pick the exit code.
 */
export async function runSuites(flags: RunFlags): Promise<number> {
  const files = resolveSuiteFiles(flags.suite);
  const suites = files.map((file) => loadSuite(file));
  // A server target runs every suite by default; a client speaks one service, so it is given its suite.
  if (flags.client !== undefined && flags.suite.length === 0) {
    const clientSuites = suites.filter((suite) => peerOf(suite) === 'client').map((suite) => suite.suite);
    throw new UsageError(`--client needs --suite: a client speaks one service, and each client suite checks one (client suites: ${clientSuites.join(', ')})`);
  }
  if (flags.filter !== undefined) parseRegex(flags.filter, '--filter');
  const stepTimeout = flags.stepTimeout === undefined ? undefined : parseMs(flags.stepTimeout, '--step-timeout');
  const retries = flags.retries === undefined ? undefined : parseCount(flags.retries, '--retries');
  const repeat = flags.repeat === undefined ? undefined : repeatFlag(flags.repeat, flags.retries);
  const seed = flags.seed === undefined ? newRunSeed() : seedFlag(flags.seed);
  const timeScale = timeScaleFlags(flags.timeScale, flags.noTimeouts);
  const workers = workersFlag(flags.workers);
  const capture = captureFlag(flags.capture);
  if ((flags.updateBaseline || flags.failOnUnexpectedPass) && !flags.baseline) {
    throw new UsageError('--update-baseline and --fail-on-unexpected-pass go with --baseline FILE');
  }
  // A baseline that cannot be read stops the run before it starts, not after.
  if (flags.baseline && !flags.updateBaseline) readBaseline(flags.baseline);
  const declared = declarationsFromFlags(flags);
  checkShard(flags.shard);
  const services = [...new Set(suites.map((s) => s.service))];
  const spec = withScaledStart(targetSpecFromFlags(flags, services, declared), timeScale);
  const kind = targetKind(spec);
  const client = kind.client?.(spec);
  for (const suite of suites) {
    const mismatch = peerFit(suite, spec.kind, kind.client !== undefined).mismatch ?? (client ? clientTimeoutMissing(suite, client) : undefined);
    if (mismatch) throw new UsageError(mismatch);
    const misfit = flags.client === undefined || peerOf(suite) !== 'client' ? undefined : clientCommandMisfit(suite, flags.client);
    if (misfit) throw new UsageError(misfit);
  }
  if (declared.idleTimeoutMs !== undefined && kind.selfDeclared) {
    throw new UsageError('--idle-timeout declares the timeout of a server you give (--cmd, --image, --target ADDRESS); the builtin servers declare their own (2 s)');
  }
  const target = await kind.create(spec, services);
  const reportsDir = reportsFolder(flags.reports);
  const outcomesDir = mkdtempSync(path.join(os.tmpdir(), 'sockspec-outcomes-'));
  const capturesDir = path.join(reportsDir, CAPTURES_FOLDER);
  // The captures of an earlier run in the same folder would pass for this run's.
  rmSync(capturesDir, { recursive: true, force: true });

  const cleanUp = async () => {
    await target.stop();
    // Suite files hold their namespaces inside jest, where exit hooks never fire: an interrupted
    // run's are removed here.
    removeThisRunsNamespaces();
    rmSync(outcomesDir, { recursive: true, force: true });
  };
  // A run in parallel records cases as they end, the alone ones last: the reports list them in their suites' order.
  const casesRun = () => inSuiteOrder(collapseAttempts(readRecords(outcomesDir)), suites);
  const shownReports = () => `${path.join(path.relative(process.cwd(), reportsDir) || '.', 'junit.xml')}, results.json, index.html`;
  // Interrupted: the cases that ended so far, reported as such (no baseline is read or written).
  const writePartialReports = () => {
    const records = casesRun();
    finishReports(reportsDir, records, target.description, { strict: flags.strict, updateBaseline: false, failOnUnexpectedPass: false, interrupted: true, timing: timeScale, captures: capture }, []);
    process.stdout.write(`\n${summaryLines(records, flags.strict).join('\n')}\n\n${style.warn('INTERRUPTED')}  partial reports: ${shownReports()}\n`);
  };
  // Installed for the whole run, starting included: a container target sees that the CLI handles
  // the signal and leaves the exit to it.
  const interruption = new Interruption(writePartialReports, async () => {
    const workers = childProcesses();
    await cleanUp();
    await processesExited(workers);
  });
  const onSignal = interruption.onSignal;
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    // In-process servers (builtin) are started by each suite file, in the process that runs it.
    const endpoints = kind.startedBy === 'suite-file' ? undefined : declareEndpoints(await target.start(services), declared);
    // The suite files, inside jest, learn of an exit from the file; the summary names it once.
    let targetExit: TargetExit | undefined;
    target.watchExit?.((exit) => {
      targetExit = exit;
      writeTargetExit(outcomesDir, exit);
    });
    // The suite files start the servers of the lifecycle and network cases from the same spec.
    const runTarget = { spec, description: target.description, endpoints };
    const settings = { target: runTarget, outcomesDir, stepTimeout, transcripts: flags.transcripts, retries, profile: declared.profile, strict: flags.strict, filter: flags.filter, seed, repeat, timeScale: timeScale.factor, noTimeouts: timeScale.noTimeouts, capture: capture.mode, captureDir: capture.mode && capturesDir };
    const runs = repeat && repeat > 1 ? `, each case ${repeat} times` : '';
    const scaled = describeTimeScale(timeScale);
    process.stdout.write(`${style.bold('sockspec')}: ${suites.length} suite(s) against ${target.description}, seed ${seed}${runs}\n${scaled ? `${style.warn(scaled)}\n` : ''}${capture.unavailable ? `${style.warn(capture.unavailable)}\n` : ''}\n`);

    // A client suite against the builtin servers: every case skipped for one reason, said here
    // once, without starting jest's workers on it (each would load the harness for nothing).
    // A sharded run says it in the first shard only, so that the merged shards hold it once.
    const fit: Suite[] = [];
    for (const suite of suites) {
      const { skipReason } = peerFit(suite, spec.kind, kind.client !== undefined);
      if (skipReason === undefined) fit.push(suite);
      else if (flags.shard === undefined || flags.shard.startsWith('1/')) skipSuite(suite, skipReason, outcomesDir, flags.filter);
    }
    const passResults = [];
    for (const pass of suitePasses(fit, workers, kind.startedBy !== 'suite-file')) {
      // jest's workers, started by each pass, inherit the settings with the pass's part.
      Object.assign(process.env, settingsEnv({ ...settings, part: pass.part }));
      // The config JSON names its own rootDir. Passing the package root as the project made jest
      // read the JSON a second time as a project config, and warn about its reporters.
      passResults.push((await runCLI(jestArgv(pass, flags.filter, flags.shard), [process.cwd()])).results);
      // Cases that ended after a Ctrl-C ended because the target was stopped: not reported.
      if (interruption.exiting) return await interruption.exiting;
    }
    const results = joinResults(passResults);
    const records = casesRun();
    if (targetExit) nameTargetExit(records, targetExit);
    // Read at most once (a container's log is a `docker logs` call), and only when a failure needs it.
    let printedOnce: PrintedLine[] | undefined;
    const printed = () => (printedOnce ??= target.printed?.() ?? []);
    await attachServerOutput(records, printed);
    // A shard may hold no suite file; a failure jest saw (a suite file's start) is reported below.
    if (records.length === 0 && flags.shard === undefined && results.numRuntimeErrorTestSuites === 0 && results.numFailedTests === 0) {
      if (results.numTotalTestSuites === 0) throw new UsageError(`no case ran: jest found none of the ${files.length} suite file(s) to run`);
      throw new UsageError('no case ran: --filter matched no case', 'sockspec list shows the cases; the filter matches "suite case-id: title"');
    }
    process.stdout.write(`\n${summaryLines(records, flags.strict, targetExit && targetExitMessage(targetExit)).join('\n')}\n\n`);
    if (records.length > 0 && records.every((r) => r.verdict === 'skip')) {
      process.stdout.write(`no case ran: every case${flags.filter === undefined ? '' : ' --filter matched'} was skipped (the reasons are above)\n\n`);
    }
    const finished = finishReports(reportsDir, records, target.description, { ...flags, timing: timeScale, captures: capture }, jestProblems(results, records));
    if (capture.unavailable) process.stdout.write(`${style.warn(capture.unavailable)}\n`);
    if (finished.lines.length) process.stdout.write(`${finished.lines.join('\n')}\n\n`);
    const code = results.numRuntimeErrorTestSuites > 0 || records.some((r) => r.suiteError) ? EXIT.error : finished.code;
    if (code !== EXIT.pass) printServerOutput(printed(), target.description);
    const verdict = code === EXIT.pass ? style.pass('PASS') : code === EXIT.error ? style.fail('ERROR') : style.fail('FAIL');
    process.stdout.write(`${verdict}  reports: ${shownReports()}${scaled ? `  (${scaled})` : ''}\n`);
    // A server the suite files start themselves (in a network namespace) is a target that would
    // not start, as when the CLI starts it: exit 2 with the reason, the reports written first.
    const unstarted = records.find((r) => r.targetError)?.targetError;
    if (unstarted) throw new TargetError(unstarted.message, unstarted.output);
    return code;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanUp();
  }
}

/**
 * Ctrl-C writes the reports of the cases that ended so far, stops the target, then exits with 130.
 * A second one exits at once: the targets' exit hooks still kill command process groups and
 * remove containers on the way out.
 */
class Interruption {
  /** Set by the first signal: the clean-up, which ends in the exit. */
  exiting?: Promise<never>;

  constructor(
    private readonly writePartialReports: () => void,
    private readonly cleanUp: () => Promise<void>,
  ) {}

  readonly onSignal = (): void => {
    if (this.exiting) process.exit(EXIT.interrupted);
    process.stderr.write('\ninterrupted: stopping the target (Ctrl-C again to quit at once)\n');
    try {
      this.writePartialReports();
    } catch (err) {
      process.stderr.write(`the partial reports could not be written: ${(err as Error).message}\n`);
    }
    this.exiting = this.cleanUp().finally(() => process.exit(EXIT.interrupted)) as Promise<never>;
  };
}

/** The records sorted by suite, in the order the suites were given, and by case, in each suite's order. */
function inSuiteOrder(records: OutcomeRecord[], suites: readonly Suite[]): OutcomeRecord[] {
  const position = new Map(suites.flatMap((suite, s) => suite.cases.map((c, i): [string, number] => [`${suite.suite}/${c.id}`, s * 100_000 + i])));
  const at = (r: OutcomeRecord) => position.get(`${r.suite}/${r.caseId}`) ?? Number.MAX_SAFE_INTEGER;
  return [...records].sort((a, b) => at(a) - at(b));
}

/** A server that crashed on a case's input may be seen to exit a little after the case failed. */
const EXIT_SEEN_LATE_MS = 250;

/**
 * Cases that started after the target exited fail with that one reason, whatever they saw: the
 * suite files skip them once they know of the exit, and one that started before the news reached
 * them met a dead server, where a "refused" or "closed" check proves nothing. The case (or two)
 * running when it exited failed on its own, with a reset or a refused connection: its message
 * says the target exited too.
 */
function nameTargetExit(records: OutcomeRecord[], exit: TargetExit): void {
  const reason = targetExitMessage(exit);
  for (const r of records) {
    if (r.startedAt === undefined || r.message === reason) continue;
    if (r.startedAt > exit.at) {
      Object.assign(r, { verdict: 'fail', message: reason, summary: reason, rule: undefined, precondition: undefined, transcript: undefined });
    } else if (r.verdict === 'fail' && exit.at <= r.startedAt + r.durationMs + EXIT_SEEN_LATE_MS) {
      r.message = `${r.message ?? ''}\nmeanwhile ${reason}`;
    }
  }
}

/** Records every case of `suite` that `filter` selects as skipped for `reason`, and says so in one line. */
function skipSuite(suite: Suite, reason: string, outcomesDir: string, filter: string | undefined): void {
  const selected = suite.cases.filter((c) => filterSelects(filter, suite.suite, testTitle(c.id, c.title, c.level ?? 'must')));
  for (const c of selected) appendRecord(outcomesDir, skipRecord(suite, c, reason));
  if (selected.length > 0) process.stdout.write(`${style.warn('-')} ${suite.suite}: ${selected.length} case(s)  [skipped: ${reason}]\n`);
}

const SERVER_OUTPUT_LINES = 20;

/**
 * After a failed run, the server's side: its last output lines (a crash, a refused client). Each
 * failed case also carries the lines printed while it ran, in the reports.
 */
function printServerOutput(printed: readonly PrintedLine[], description: string): void {
  // What the server printed is shown, not obeyed: no colour, cursor moves, bells or carriage returns.
  const lines = printed.slice(-SERVER_OUTPUT_LINES).map((line) => xmlText(capLine(line.text)).replace(/\r/g, '\\r'));
  if (lines.length === 0) return;
  const heading = `${style.bold('server output')} (last ${lines.length} lines, ${description}):`;
  process.stdout.write(`${heading}\n${lines.map((line) => `  | ${line}`).join('\n')}\n\n`);
}

/**
 * At most this many cases of a suite file run at once when its cases run side by side (jest's own
 * default). Most of such a case's time is waiting (a pause, an idle timeout, a decode): a few at
 * once fill a worker's idle time without crowding its event loop, which the timed cases share.
 */
const SIDE_BY_SIDE_CASES = 5;

function jestArgv(pass: SuitePass, filter: string | undefined, shard: string | undefined): Config.Argv {
  const config: Config.InitialOptions = {
    ...suiteProject(pass.files),
    // jest starts the files it remembers as longest first, from the durations it keeps per project
    // id. Each pass is a project of its own, or the alone pass's short stay in a file (one case)
    // would be remembered as the file's time, and the together pass would start that file last.
    id: `sockspec-${pass.part ?? 'all'}`,
    // The most cases of one suite file that run side by side (suite field sideBySide).
    maxConcurrency: SIDE_BY_SIDE_CASES,
    // junit.xml is written from the case records afterwards (report/junit.ts).
    reporters: [path.join(__dirname, '..', 'jest', 'progress-reporter.js')],
  };
  return {
    $0: 'sockspec',
    _: [],
    config: JSON.stringify(config),
    testNamePattern: filter,
    shard,
    // A shard may hold no suite file when there are more shards than suites.
    passWithNoTests: true,
    // One worker runs the files in this process, as jest's --runInBand: no worker processes to start.
    runInBand: pass.workers === 1,
    maxWorkers: pass.workers,
    // The case records say everything (a tolerated failure, a skip's reason); the suite files'
    // console messages are for a project's own jest, where no records are read.
    silent: true,
  };
}

function checkShard(shard: string | undefined): void {
  if (shard === undefined) return;
  const match = /^([1-9]\d*)\/([1-9]\d*)$/.exec(shard);
  if (!match || Number(match[1]) > Number(match[2])) throw new UsageError(`--shard takes I/N with I from 1 to N, e.g. 1/3, not "${shard}"`);
}

function reportsFolder(dir: string): string {
  const resolved = path.resolve(dir);
  try {
    mkdirSync(resolved, { recursive: true });
  } catch (err) {
    throw new UsageError(`--reports ${dir}: cannot use it as a folder (${(err as NodeJS.ErrnoException).code})`);
  }
  return resolved;
}

function parseCount(value: string, flag: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 0 || count > 10) throw new UsageError(`${flag} takes a whole number from 0 to 10, not "${value}"`);
  return count;
}

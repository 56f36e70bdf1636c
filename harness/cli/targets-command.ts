import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../package-paths';
import { mergeJunit, readResults } from '../report/merge';
import { matrixLines, matrixOf, writeMatrix, type MatrixCell, type MatrixColumn } from '../report/matrix';
import { writeMatrixHtml } from '../report/matrix-html';
import { loadSuite } from '../suite/load';
import { OutputTail } from '../targets/output-tail';
import { EXIT, UsageError } from './errors';
import { runSuites, type RunFlags } from './run-command';
import { style } from '../report/style';
import { repeatFlag, seedFlag } from './repeat-flags';
import { newRunSeed } from '../run/seed';
import { resolveSuiteFiles } from './suite-files';
import { entryFlags, loadTargetsFile, runsStrict, type TargetEntry } from './targets-file';

export interface TargetsFlags extends RunFlags {
  /** A targets file (YAML) naming one target or several. */
  targets: string;
  /** Run only this target of the file. */
  only?: string;
}

const BIN = path.join(PACKAGE_ROOT, 'bin', 'sockspec.js');
const ERROR_LINES = 20;
/** The run flags a targets file entry stands for: given both ways, which one counts is unclear. */
const TARGET_FLAGS = {
  target: '--target', cmd: '--cmd', image: '--image', port: '--port', udpPort: '--udp-port', env: '--env',
  readyLog: '--ready-log', host: '--host', startTimeout: '--start-timeout', ca: '--ca', servername: '--servername',
  altServername: '--alt-servername', alpn: '--alpn', idleTimeout: '--idle-timeout', profile: '--profile',
  declareCapacity: '--declare-capacity',
} as const satisfies Partial<Record<keyof RunFlags, string>>;

/**
 * `sockspec run --targets FILE`: one target of the file is a plain run; several are a matrix, each
 * target run in a sockspec process of its own, one after another, with its reports in
 * REPORTS/NAME/, then one case × target table (terminal, matrix.json, index.html) and one junit.xml.
 */
export async function runTargetsFile(flags: TargetsFlags): Promise<number> {
  const given = Object.entries(TARGET_FLAGS).filter(([key]) => flags[key as keyof RunFlags] !== undefined).map(([, flag]) => flag);
  if (given.length) throw new UsageError(`${given.join(', ')}: the targets file names the targets, give these in it instead`);
  const entries = loadTargetsFile(flags.targets);
  if (flags.only !== undefined) {
    const entry = entries.find((e) => e.name === flags.only);
    if (!entry) throw new UsageError(`--only ${flags.only}: no such target in ${flags.targets}`, `targets: ${entries.map((e) => e.name).join(', ')}`);
    return runSuites(entryRun(entry, flags));
  }
  if (entries.length === 1) return runSuites(entryRun(entries[0], flags));
  if (flags.baseline) throw new UsageError('--baseline with several targets: give each target its own baseline in the targets file');
  const missing = flags.updateBaseline ? entries.find((e) => e.baseline === undefined) : undefined;
  if (missing) throw new UsageError(`--update-baseline: target ${missing.name} has no baseline in the targets file`);
  return runMatrix(entries, flags);
}

/** The run of one entry: its target flags, its suites, its baseline. */
function entryRun(entry: TargetEntry, flags: RunFlags): RunFlags {
  const suite = suitesOf(entry, flags);
  if (suite.length === 0) throw new UsageError(`target ${entry.name} runs none of the suites asked for (its suites: ${entry.suites?.join(', ')})`);
  return { ...flags, ...entryFlags(entry, flags), suite, baseline: entry.baseline ?? flags.baseline };
}

/** The entry's suites that the run asked for (all of the run's, when the entry names none). */
function suitesOf(entry: TargetEntry, flags: RunFlags): string[] {
  if (!entry.suites && flags.suite.length === 0 && entry.client !== undefined) {
    throw new UsageError(`target ${entry.name} is a client, which speaks one service: give it its suites in the targets file (suites: [echo-client]) or run with --suite`);
  }
  const asked = resolveSuiteFiles(flags.suite);
  if (!entry.suites) return asked;
  const own = resolveSuiteFiles(entry.suites);
  return flags.suite.length ? own.filter((file) => asked.includes(file)) : own;
}

async function runMatrix(entries: readonly TargetEntry[], given: TargetsFlags): Promise<number> {
  if (given.repeat !== undefined) repeatFlag(given.repeat, given.retries);
  // One seed for every target, so that their columns compare the same random choices.
  const flags = { ...given, seed: String(given.seed === undefined ? newRunSeed() : seedFlag(given.seed)) };
  const plans = entries.map((entry) => ({ entry, suites: suitesOf(entry, flags) }));
  // A malformed suite stops the matrix before any target starts.
  for (const file of new Set(plans.flatMap((p) => p.suites))) loadSuite(file);
  const reportsDir = path.resolve(flags.reports);
  mkdirSync(reportsDir, { recursive: true });
  const child = new ChildRun();
  const columns: MatrixColumn[] = [];
  try {
    for (const [i, { entry, suites }] of plans.entries()) {
      if (suites.length === 0) {
        columns.push({ name: entry.name, exitCode: EXIT.pass, reports: entry.name, error: [`none of its suites (${entry.suites?.join(', ')}) was asked for`] });
        continue;
      }
      process.stdout.write(`\n${style.bold(`── target ${i + 1}/${plans.length}: ${entry.name} ──`)}\n`);
      const dir = path.join(reportsDir, entry.name);
      // Reports of an earlier run must not stand in for a run that wrote none.
      for (const name of ['results.json', 'junit.xml']) rmSync(path.join(dir, name), { force: true });
      const { code, lastLines } = await child.run(childArgs(flags, entry, suites, dir));
      const results = existsSync(path.join(dir, 'results.json')) ? readResults(dir) : undefined;
      columns.push({ name: entry.name, exitCode: code, reports: entry.name, results, error: results ? undefined : lastLines });
      if (child.interrupted) break;
    }
  } finally {
    child.dispose();
  }
  const matrix = matrixOf(columns);
  writeMatrix(reportsDir, matrix);
  writeMatrixHtml(reportsDir, matrix);
  const withJunit = columns.filter((c) => existsSync(path.join(reportsDir, c.reports, 'junit.xml')));
  mergeJunit(withJunit.map((c) => path.join(reportsDir, c.reports)), reportsDir, withJunit.map((c) => c.name));
  process.stdout.write(`\n${style.bold('matrix')}\n${matrixLines(matrix, paintCell).join('\n')}\n\n`);
  const shown = path.relative(process.cwd(), reportsDir) || '.';
  process.stdout.write(`reports: ${path.join(shown, 'index.html')} (the matrix), matrix.json, junit.xml; each target's in ${path.join(shown, 'NAME')}/\n`);
  return matrixExit(columns.map((c) => c.exitCode), child.interrupted);
}

/** Interrupted wins, then an error (a target that would not start), then a failure. */
function matrixExit(codes: readonly number[], interrupted: boolean): number {
  if (interrupted) return EXIT.interrupted;
  for (const code of [EXIT.error, EXIT.fail]) if (codes.includes(code)) return code;
  return codes.find((code) => code !== EXIT.pass) ?? EXIT.pass;
}

function childArgs(flags: TargetsFlags, entry: TargetEntry, suites: readonly string[], dir: string): string[] {
  const args = ['run', '--targets', flags.targets, '--only', entry.name, '--reports', dir, ...suites.flatMap((s) => ['--suite', s])];
  const valued: [string, string | undefined][] = [['--filter', flags.filter], ['--step-timeout', flags.stepTimeout], ['--retries', flags.retries], ['--shard', flags.shard], ['--seed', flags.seed], ['--repeat', flags.repeat], ['--time-scale', flags.timeScale], ['--capture', flags.capture]];
  for (const [flag, value] of valued) if (value !== undefined) args.push(flag, value);
  const switches: [string, boolean][] = [['--strict', runsStrict(entry, flags)], ['--transcripts', flags.transcripts], ['--update-baseline', flags.updateBaseline], ['--fail-on-unexpected-pass', flags.failOnUnexpectedPass], ['--no-timeouts', flags.noTimeouts]];
  for (const [flag, on] of switches) if (on) args.push(flag);
  return args;
}

const CELL_STYLE: Partial<Record<MatrixCell, (text: string) => string>> = { pass: style.pass, fail: style.fail, tolerated: style.warn, skip: style.dim, 'not run': style.dim };

function paintCell(cell: MatrixCell, text: string): string {
  return CELL_STYLE[cell]?.(text) ?? text;
}

/**
 * The sockspec process running one target. Its output is the user's to see; its error output is
 * also kept, for the matrix to show why a target has no results. It runs in a process group of its
 * own, so that a Ctrl-C reaches it once, passed on from here (a run takes a second SIGINT for
 * "quit at once", skipping its clean-up), and no further target starts.
 */
class ChildRun {
  interrupted = false;
  private current: ReturnType<typeof spawn> | undefined;
  private readonly onSignal = (signal: NodeJS.Signals) => {
    this.interrupted = true;
    this.current?.kill(signal);
  };

  constructor() {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  run(args: string[]): Promise<{ code: number; lastLines: string[] }> {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'inherit', 'pipe'], detached: true });
    this.current = child;
    const tail = new OutputTail(ERROR_LINES);
    const stderr = child.stderr as NonNullable<typeof child.stderr>;
    stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    void tail.follow(stderr);
    return new Promise((resolve) => {
      child.once('close', (code, signal) => {
        this.current = undefined;
        resolve({ code: code ?? (signal === 'SIGINT' ? EXIT.interrupted : EXIT.error), lastLines: tail.lines() });
      });
    });
  }

  dispose(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }
}

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCLI } from 'jest';
import type { Config } from '@jest/types';
import { junitReporter, suiteProject } from '../jest/config';
import { settingsEnv } from '../jest/settings';
import { readRecords } from '../report/outcome-record';
import { summaryLines } from '../report/summary';
import { failsRun } from '../report/verdict';
import { loadSuite } from '../suite/load';
import { BuiltinTarget } from '../targets/builtin';
import type { Target } from '../targets/target';
import { EXIT } from './errors';
import { style } from './style';
import { resolveSuiteFiles } from './suite-files';
import { parseMs, parseRegex, targetFromFlags, type TargetFlags } from './target-option';

export interface RunFlags extends TargetFlags {
  suite: string[];
  filter?: string;
  strict: boolean;
  stepTimeout?: string;
  reports: string;
}

/**
 * `sockspec run`: check every suite file first (a malformed one stops the run before anything
 * starts), start the target, let jest run the suite files, then summarise and pick the exit code.
 */
export async function runSuites(flags: RunFlags): Promise<number> {
  const files = resolveSuiteFiles(flags.suite);
  const suites = files.map((file) => loadSuite(file));
  if (flags.filter !== undefined) parseRegex(flags.filter, '--filter');
  const stepTimeout = flags.stepTimeout === undefined ? undefined : parseMs(flags.stepTimeout, '--step-timeout');
  const services = [...new Set(suites.map((s) => s.service))];
  const target = await targetFromFlags(flags, services);
  const reportsDir = path.resolve(flags.reports);
  mkdirSync(reportsDir, { recursive: true });
  const outcomesDir = mkdtempSync(path.join(os.tmpdir(), 'sockspec-outcomes-'));

  const cleanUp = async () => {
    await target.stop();
    rmSync(outcomesDir, { recursive: true, force: true });
  };
  // Installed for the whole run, starting included: a container target sees that the CLI handles
  // the signal and leaves the exit to it.
  const onSignal = interruptHandler(cleanUp);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    // The builtin servers are started by each suite file, in the process that runs it.
    const endpoints = target instanceof BuiltinTarget ? undefined : await target.start(services);
    Object.assign(process.env, settingsEnv({ endpoints, target: target.description, controlled: target.controlled, outcomesDir, stepTimeout }));
    process.stdout.write(`${style.bold('sockspec')}: ${suites.length} suite(s) against ${target.description}\n\n`);

    const { results } = await runCLI(jestArgv(files, reportsDir, flags.filter), [suiteProject(files).rootDir as string]);
    const records = readRecords(outcomesDir);
    process.stdout.write(`\n${summaryLines(records, flags.strict).join('\n')}\n\n`);
    const code = exitCode(records, flags.strict, results.numFailedTests, results.numRuntimeErrorTestSuites);
    if (code !== EXIT.pass) printServerOutput(target);
    const verdict = code === EXIT.pass ? style.pass('PASS') : style.fail('FAIL');
    process.stdout.write(`${verdict}  JUnit report: ${path.relative(process.cwd(), path.join(reportsDir, 'junit.xml')) || 'junit.xml'}\n`);
    return code;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanUp();
  }
}

/**
 * Ctrl-C stops the target, then exits with 130. A second one exits at once: the targets' exit
 * hooks still kill command process groups and remove containers on the way out.
 */
function interruptHandler(cleanUp: () => Promise<void>): () => void {
  let interrupted = false;
  return () => {
    if (interrupted) process.exit(EXIT.interrupted);
    interrupted = true;
    process.stderr.write('\ninterrupted: stopping the target (Ctrl-C again to quit at once)\n');
    void cleanUp().finally(() => process.exit(EXIT.interrupted));
  };
}

/** A target that keeps what its server printed (a container does). */
interface WithServerOutput {
  logs(): string[];
}

const SERVER_OUTPUT_LINES = 20;

/**
 * After a failed run, the server's side: its last output lines (a crash, a refused client). The
 * failures in the JUnit report are written by jest, which has no hold on the target.
 */
function printServerOutput(target: Target): void {
  const logs = (target as Partial<WithServerOutput>).logs;
  const lines = typeof logs === 'function' ? logs.call(target).slice(-SERVER_OUTPUT_LINES) : [];
  if (lines.length === 0) return;
  const heading = `${style.bold('server output')} (last ${lines.length} lines, ${target.description}):`;
  process.stdout.write(`${heading}\n${lines.map((line) => `  | ${line}`).join('\n')}\n\n`);
}

function jestArgv(files: string[], reportsDir: string, filter: string | undefined): Config.Argv {
  const config: Config.InitialOptions = {
    ...suiteProject(files),
    reporters: [path.join(__dirname, '..', 'jest', 'progress-reporter.js'), junitReporter({ outputDirectory: reportsDir, outputName: 'junit.xml' })],
  };
  return {
    $0: 'sockspec',
    _: [],
    config: JSON.stringify(config),
    testNamePattern: filter,
    // Suites share one machine's loopback; running them one after another keeps timings honest.
    runInBand: true,
  };
}

/** 2 when a suite file could not run at all; 1 when a required case failed; else 0. */
function exitCode(records: ReturnType<typeof readRecords>, strict: boolean, jestFailures: number, brokenFiles: number): number {
  if (brokenFiles > 0) return EXIT.error;
  if (records.some((r) => failsRun(r, strict))) return EXIT.fail;
  // A failure jest saw that no case recorded (e.g. jest's own timeout) still fails the run.
  const recordedFailures = records.filter((r) => r.verdict === 'fail' && r.level !== 'info').length;
  return jestFailures > recordedFailures ? EXIT.fail : EXIT.pass;
}

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
  const target = targetFromFlags(flags);
  const reportsDir = path.resolve(flags.reports);
  mkdirSync(reportsDir, { recursive: true });
  const outcomesDir = mkdtempSync(path.join(os.tmpdir(), 'sockspec-outcomes-'));

  const cleanUp = async () => {
    await target.stop();
    rmSync(outcomesDir, { recursive: true, force: true });
  };
  const onSignal = () => {
    process.stderr.write('\ninterrupted: stopping the target\n');
    void cleanUp().finally(() => process.exit(EXIT.interrupted));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    // The builtin servers are started by each suite file, in the process that runs it.
    const endpoints = target instanceof BuiltinTarget ? undefined : await target.start([...new Set(suites.map((s) => s.service))]);
    Object.assign(process.env, settingsEnv({ endpoints, target: target.description, controlled: target.controlled, outcomesDir, stepTimeout }));
    process.stdout.write(`${style.bold('sockspec')}: ${suites.length} suite(s) against ${target.description}\n\n`);

    const { results } = await runCLI(jestArgv(files, reportsDir, flags.filter), [suiteProject(files).rootDir as string]);
    const records = readRecords(outcomesDir);
    process.stdout.write(`\n${summaryLines(records, flags.strict).join('\n')}\n\n`);
    const code = exitCode(records, flags.strict, results.numFailedTests, results.numRuntimeErrorTestSuites);
    const verdict = code === EXIT.pass ? style.pass('PASS') : style.fail('FAIL');
    process.stdout.write(`${verdict}  JUnit report: ${path.relative(process.cwd(), path.join(reportsDir, 'junit.xml')) || 'junit.xml'}\n`);
    return code;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanUp();
  }
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

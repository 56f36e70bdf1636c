import { loadSuite } from '../suite/load';
import { caseTimeouts, runCase, type CaseOutcome } from '../run/run-case';
import { BuiltinLauncher, BuiltinTarget } from '../targets/builtin';
import { CommandLauncher } from '../targets/command';
import type { Endpoints } from '../targets/target';
import { appendRecord, toRecord } from '../report/outcome-record';
import { describeFailure } from '../verdict/describe';
import { readSettings } from './settings';
import { unmetNeed } from '../run/needs';
import { skipRecord } from '../report/outcome-record';

/** Time jest allows a test beyond the case's own deadline, so the case reports its own timeout. */
const JEST_MARGIN_MS = 5000;

/**
 * Turns one suite file into jest tests: describe(suite) with one test per case. Called by the code
 * the YAML transform generates, at module load, so everything here is synchronous until the tests run.
 */
export function defineSuiteTests(file: string): void {
  const suite = loadSuite(file);
  const settings = readSettings();
  let endpoints: Endpoints = settings.endpoints ?? {};
  const builtin = settings.endpoints ? undefined : new BuiltinTarget();
  // Lifecycle cases start instances of their own: reference servers, or the target's command.
  const launcher = builtin ? new BuiltinLauncher() : settings.launch ? new CommandLauncher(settings.launch) : undefined;

  if (settings.retries) jest.retryTimes(settings.retries);
  describe(suite.suite, () => {
    beforeAll(async () => {
      if (builtin) endpoints = await builtin.start([suite.service]);
    });
    afterAll(async () => {
      await builtin?.stop();
      if (launcher instanceof CommandLauncher) await launcher.dispose();
    });

    for (const c of suite.cases) {
      const level = c.level ?? 'must';
      const title = `${c.id}: ${c.title}${level === 'must' ? '' : ` [${level}]`}`;
      // The builtin servers declare everything; a target the CLI started declares what it was told.
      const skip = settings.endpoints ? unmetNeed(c, settings.endpoints[suite.service], launcher !== undefined) : undefined;
      if (skip) {
        if (settings.outcomesDir) appendRecord(settings.outcomesDir, skipRecord(suite, c, skip));
        test.skip(`${title} [skipped: ${skip}]`, () => undefined);
        continue;
      }
      test(title, async () => {
        const outcome = await runCase(suite, c, endpoints, { stepTimeout: settings.stepTimeout, launcher });
        if (settings.outcomesDir) appendRecord(settings.outcomesDir, toRecord(outcome, settings.transcripts || outcome.verdict === 'fail'));
        if (outcome.verdict === 'fail' && level !== 'info') throw failureError(outcome);
      }, caseTimeouts(suite, c).total + JEST_MARGIN_MS);
    }
  });
}

/** An error whose stack is its message: the evidence is the transcript, not sockspec's call stack. */
function failureError(outcome: CaseOutcome): Error {
  const error = new Error(describeFailure(outcome));
  error.stack = error.message;
  return error;
}

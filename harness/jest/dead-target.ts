import type { OutcomeRecord } from '../report/outcome-record';
import type { Case, Suite } from '../suite/schema';
import { readTargetExit, targetExitMessage, type TargetExit } from '../targets/target-exit';
import type { Target } from '../targets/target';

/**
 * Whether the target a suite file runs against has exited, asked before each case: the CLI's
 * watch (it writes the exit next to the case records), or the watch on the target this file
 * started itself (a project's own jest). A case after the exit is not run: against a dead server
 * a "refused" or "closed" check would pass for nothing.
 */
export function deadTargetCheck(outcomesDir: string | undefined, own: Target | undefined): () => TargetExit | undefined {
  let ownExit: TargetExit | undefined;
  own?.watchExit?.((exit) => (ownExit = exit));
  return () => ownExit ?? (outcomesDir ? readTargetExit(outcomesDir) : undefined);
}

/** A case not run because its target had exited: it fails, with that one reason. */
export function deadTargetRecord(suite: Suite, c: Case, exit: TargetExit): OutcomeRecord {
  const message = targetExitMessage(exit);
  return {
    suite: suite.suite,
    caseId: c.id,
    title: c.title,
    level: c.level ?? 'must',
    ref: c.ref,
    rules: c.rules,
    verdict: 'fail',
    startedAt: Date.now(),
    durationMs: 0,
    notes: [],
    message,
    summary: message,
  };
}

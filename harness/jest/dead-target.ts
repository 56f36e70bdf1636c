import { readTargetExit, type TargetExit } from '../targets/target-exit';
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

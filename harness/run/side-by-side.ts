import type { Case, Suite } from '../suite/schema';

/**
 * Whether a case runs side by side with the other cases of its suite file, rather than after the
 * one before it. Only in the together part of a parallel run (where suite files already run beside
 * each other) and only against the builtin reference servers, which serve every connection on its
 * own: a server the user gave may serve one connection at a time, and its verdicts must be those
 * of a serial run. The suite says its cases cannot see each other (`sideBySide`). A network case
 * then gets a namespace and server of its own (the link's conditions are one case's at a time); a
 * case that restarts the server (every case's server) still keeps to itself.
 */
export function runsSideBySide(suite: Pick<Suite, 'sideBySide'>, c: Case, run: { together: boolean; targetKind: string }): boolean {
  if (!run.together || run.targetKind !== 'builtin' || suite.sideBySide === undefined) return false;
  return !(c.needs ?? []).includes('restart');
}

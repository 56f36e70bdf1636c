import type { Case, Suite } from '../suite/schema';
import { usesNetwork } from './network-needs';

/**
 * Whether a case runs side by side with the other cases of its suite file, rather than after the
 * one before it. Only in the together part of a parallel run (where suite files already run beside
 * each other) and only against the builtin reference servers, which serve every connection on its
 * own: a server the user gave may serve one connection at a time, and its verdicts must be those
 * of a serial run. The suite says its cases cannot see each other (`sideBySide`); even then a
 * network case (the namespace's link and its conditions are the suite file's, one set at a time)
 * and a case that restarts the server (every case's server) keep to themselves.
 */
export function runsSideBySide(suite: Pick<Suite, 'sideBySide'>, c: Case, run: { together: boolean; targetKind: string }): boolean {
  if (!run.together || run.targetKind !== 'builtin' || suite.sideBySide === undefined) return false;
  return !usesNetwork(c) && !(c.needs ?? []).includes('restart');
}

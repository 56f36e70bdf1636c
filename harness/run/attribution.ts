import type { Case } from '../suite/schema';
import { stepKind, type Step } from '../steps/registry';

/**
 * Which rules a failed case broke, from where it failed:
 * - `step`: the failing step names its rule (`rule:`), so that rule is broken;
 * - `precondition`: the step names none and comes before the first step that names one: the case
 *   failed setting up, before the checks of the rules its steps name (`notReached`), so none of
 *   those is said broken; the set-up checks the case's other rules, those no step names (`rules`,
 *   possibly none: a chat case's registration checks the registration rules it cites);
 * - `case`: otherwise, the case's rules.
 */
export interface Attribution {
  as: 'step' | 'precondition' | 'case';
  /** The rules the failure is charged to: one of them is broken. */
  rules: string[];
  /** With a precondition: the rules named by the case's steps, whose checks were not reached. */
  notReached?: string[];
}

/** A step of a case as it runs: its path (`6.2` is the second step in step 6) and the rule it names. */
interface PlacedStep {
  path: string;
  rule?: string;
}

/**
 * How the failure at `failedPath` (none: outside any step) is attributed; undefined when the case
 * cites no rule. `checkNotMade`: the failing step could not make its check (verdict/failure.ts
 * NoEvidence), so the rule it names is not reached, as with a failure before it.
 */
export function attribute(c: Case, failedPath: string | undefined, checkNotMade = false): Attribution | undefined {
  const caseRules = c.rules ?? [];
  if (caseRules.length === 0) return undefined;
  if (failedPath === undefined) return { as: 'case', rules: caseRules };
  const steps = placedSteps(c.steps, '');
  const failedAt = steps.findIndex((s) => s.path === failedPath);
  const named = steps[failedAt]?.rule;
  const checked = () => caseRules.filter((id) => steps.some((s) => s.rule === id));
  const precondition = (): Attribution => ({ as: 'precondition', rules: caseRules.filter((id) => !checked().includes(id)), notReached: checked() });
  if (named) return checkNotMade ? precondition() : { as: 'step', rules: [named] };
  const firstCheck = steps.findIndex((s) => s.rule !== undefined);
  // A step that holds the first check (a parallel around it) is not before it.
  const holdsIt = firstCheck >= 0 && steps[firstCheck].path.startsWith(`${failedPath}.`);
  if (failedAt >= 0 && firstCheck >= 0 && failedAt < firstCheck && !holdsIt) return precondition();
  return { as: 'case', rules: caseRules };
}

/**
 * Every step in the order it is written, nested ones after the step holding them, with the path
 * the case runner gives it: nested lists of parallel and repeat continue their step's path, and
 * each list of concurrently adds its number (run-case.ts and the steps' `nested`).
 */
function placedSteps(steps: readonly Step[], prefix: string): PlacedStep[] {
  return steps.flatMap((step, i) => {
    const path = prefix ? `${prefix}.${i + 1}` : `${i + 1}`;
    const [name, params] = Object.entries(step)[0] as [string, unknown];
    const rule = isObject(params) && typeof params.rule === 'string' ? params.rule : undefined;
    const nested = stepKind(name)?.nested?.(params as never) ?? [];
    const inner = nested.flatMap((list) => {
      const listPath = [path, ...list.path.filter((p): p is number => typeof p === 'number').map((n) => `${n + 1}`)].join('.');
      return placedSteps(list.steps as Step[], listPath);
    });
    return [{ path, rule }, ...inner];
  });
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

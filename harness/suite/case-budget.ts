import type { PathPart } from './checked-yaml';
import { formatBytes } from '../vocabulary/units';
import { stepKind } from '../steps/registry';

/**
 * What one case may ask for, checked when the suite loads, so that no suite can make a run that
 * exhausts the machine or outlasts its deadlines (seven nested `parallel` of 10 clients would be
 * ten million clients). Nested `parallel` and `repeat` multiply what their steps cost.
 */
export const CASE_BUDGET = {
  /** Clients running at once: the product of the nested parallel counts. */
  clients: 10_000,
  /** Runs of any one step: the product of the nested parallel and repeat counts. */
  stepRuns: 1_000_000,
  /** Connections opened over the whole case. */
  connections: 10_000,
  /** Bytes sent over the whole case. */
  bytes: 4 * 1024 ** 3,
} as const;

type Report = (where: PathPart[], rule: string) => void;

/**
 * Reports, at the step where it is first exceeded, each limit of CASE_BUDGET the steps of a case
 * go past. The steps are the checked ones (shorthands expanded).
 */
export function checkCaseBudget(steps: readonly unknown[], where: PathPart[], report: Report): void {
  const totals = { connections: 0, bytes: 0 };
  const exceeded = new Set<string>();
  const over = (limit: string, at: PathPart[], rule: string) => {
    if (exceeded.has(limit)) return;
    exceeded.add(limit);
    report(at, rule);
  };

  const walk = (list: readonly unknown[], path: PathPart[], clients: number, runs: number): void => {
    list.forEach((step, i) => {
      const [name, params] = Object.entries(step as Record<string, unknown>)[0];
      const kind = stepKind(name);
      if (!kind) return;
      const at = [...path, i, name];
      const cost = kind.cost?.(params as never) ?? {};
      totals.connections += (cost.connections ?? 0) * runs;
      totals.bytes += (cost.bytes ?? 0) * runs;
      if (totals.connections > CASE_BUDGET.connections) {
        over('connections', at, `the case opens ${totals.connections} connections by here (nested parallel and repeat multiply); a case opens at most ${CASE_BUDGET.connections}`);
      }
      if (totals.bytes > CASE_BUDGET.bytes) {
        over('bytes', at, `the case sends ${formatBytes(totals.bytes)} by here (nested parallel and repeat multiply); a case sends at most ${formatBytes(CASE_BUDGET.bytes)}`);
      }
      if (!kind.nested) return;
      const nestedClients = clients * (cost.clients ?? 1);
      const nestedRuns = runs * (cost.clients ?? 1) * (cost.rounds ?? 1);
      if (nestedClients > CASE_BUDGET.clients) {
        return over('clients', at, `${nestedClients} clients at once (the parallel steps around multiply); a case runs at most ${CASE_BUDGET.clients} at once`);
      }
      if (nestedRuns > CASE_BUDGET.stepRuns) {
        return over('stepRuns', at, `its steps would run ${nestedRuns} times (nested parallel and repeat multiply); a case runs a step at most ${CASE_BUDGET.stepRuns} times`);
      }
      for (const nested of kind.nested(params as never)) walk(nested.steps, [...at, ...nested.path], nestedClients, nestedRuns);
    });
  };
  walk(steps, where, 1, 1);
}

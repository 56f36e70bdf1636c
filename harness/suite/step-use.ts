import type { PathPart } from './checked-yaml';
import type { Case, Peer } from './schema';
import { stepKind } from '../steps/registry';
import type { StepWhere } from '../steps/define';
import { DEFAULT_CONN } from '../steps/support/scope';
import { SERVICE_TRANSPORT, type ServiceName, type Transport } from '../targets/target';

/**
 * Checks how a case uses its steps, beyond each step's schema: each kind's `check` (a parameter
 * that the suite's service or the step's place rules out) and `needs` (what the case must list
 * under `needs`, or it would meet a target that cannot run it). Run on a case whose steps the
 * schema accepted; `report` takes the path in the file and the rule broken.
 */
export function checkStepUse(c: Case, service: ServiceName, peer: Peer, where: PathPart[], report: (where: PathPart[], rule: string) => void): void {
  const transports = new Map<string, Transport>();
  const caseNeeds: readonly string[] = c.needs ?? [];
  walk(c.steps, [...where, 'steps'], false);

  function walk(steps: readonly unknown[], listPath: PathPart[], inParallel: boolean): void {
    steps.forEach((step, i) => {
      const [name, params] = Object.entries(step as Record<string, unknown>)[0] as [string, never];
      const kind = stepKind(name);
      if (!kind) return; // the loader reported it
      const stepPath = [...listPath, i, name];
      const stepWhere: StepWhere = { service, peer, inParallel, transportOf: (conn) => transports.get(conn ?? DEFAULT_CONN) ?? SERVICE_TRANSPORT[service] };
      kind.check?.(params, stepWhere, (problem, at) => report(at === undefined ? stepPath : [...stepPath, at], problem));
      for (const need of kind.needs?.(params) ?? []) {
        if (!caseNeeds.includes(need)) report(stepPath, `${name} needs "${need}" of the target: list it under the case's needs, so that a target without it skips the case`);
      }
      const opened = kind.opens?.(params);
      if (opened) transports.set(opened.conn, SERVICE_TRANSPORT[opened.service ?? service]);
      const clients = kind.cost?.(params).clients !== undefined;
      for (const list of kind.nested?.(params) ?? []) walk(list.steps, [...stepPath, ...list.path], inParallel || clients);
    });
  }
}

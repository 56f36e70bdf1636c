import type { Static, TSchema } from '@sinclair/typebox';
import { CheckedYaml, type PathPart } from './checked-yaml';
import { didYouMean } from './closest';
import { CaseSchema, SuiteHeadSchema, peerOf, type Case, type Peer, type Suite } from './schema';
import { EACH_LIMITS, EachList, expandEach, shownAt } from './each';
import { closest } from './closest';
import { bundledRuleBook, mayCite } from './rules';
import { checkCaseBudget } from './case-budget';
import { checkStepUse } from './step-use';
import { cachedWhenBundled } from './suite-cache';
import type { ServiceName } from '../targets/target';
import { stepKind, stepKindNames, takesEmpty } from '../steps/registry';

/** A case as it runs, and how its problems are noted: paths in the case. */
interface PlacedCase {
  value: Record<string, unknown>;
  /** How a message names it: cases[3], or cases[3] (each[1]). */
  name: string;
  check(schema: TSchema, value: unknown, path: PathPart[]): boolean;
  /** `ofSteps`: a problem of the steps as a whole (the budget), found at `path`. */
  report(path: PathPart[], rule: string, ofSteps?: boolean): void;
}

const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads a suite file and checks it completely, or throws a SuiteError naming, for each rule broken,
 * the file, line and column. Synchronous, because jest defines tests synchronously. A bundled
 * suite checked before from the same bytes is taken as it was then (suite-cache.ts).
 */
export function loadSuite(file: string): Suite {
  return cachedWhenBundled(file, checkSuite);
}

function checkSuite(file: string): Suite {
  const yaml = new CheckedYaml(file, 'suite');
  yaml.check(SuiteHeadSchema, yaml.data, []);
  // The cases and steps are checked too when the suite around them is not right, as far as they
  // have the shape to be: every problem is reported at once.
  const written = isMapping(yaml.data) && Array.isArray(yaml.data.cases) ? (yaml.data.cases as unknown[]) : [];
  const cases = placeCases(written);
  const seen = new Map<string, string>();
  for (const c of cases) {
    const { value } = c;
    c.check(CaseSchema, value, []);
    if (typeof value.id === 'string') {
      const earlier = seen.get(value.id);
      if (earlier) c.report(['id'], `"${value.id}" is already the id of ${earlier}`);
      else seen.set(value.id, c.name);
    }
    if (Array.isArray(value.steps)) checkSteps(c, value.steps, ['steps'], Array.isArray(value.rules) ? (value.rules as unknown[]) : []);
    if (Array.isArray(value.rules)) value.rules.forEach((id, j) => typeof id === 'string' && checkRule(c, id, ['rules', j]));
  }
  yaml.throwProblems();
  // The budget is reckoned from steps known to be right: once everything else is.
  for (const c of cases) checkCaseBudget((c.value as { steps: unknown[] }).steps, ['steps'], (where, rule) => c.report(where, rule, true));
  // How each step is used, by what its kind knows (steps/define.ts `check`, `needs`).
  for (const c of cases) checkStepUse(c.value as Case, (yaml.data as Suite).service, peerOf(yaml.data as Suite), [], (where, rule) => c.report(where, rule));
  yaml.throwProblems();
  return { ...(yaml.data as Omit<Suite, 'file'>), cases: cases.map((c) => c.value as Case), file };

  /**
   * Each case as it runs, with where its problems are shown: a case written with `each` is the
   * cases it expands to, a problem a value caused shown at the value in its entry (each.ts).
   */
  function placeCases(written: unknown[]): PlacedCase[] {
    const room = { bytes: EACH_LIMITS.expandedBytes };
    return written.flatMap((c, i): PlacedCase[] => {
      if (!isMapping(c)) return []; // the schema said so
      if (!('each' in c)) return [placed(c, i, `cases[${i}]`)];
      const { each, ...template } = c;
      if (!yaml.check(EachList, each, ['cases', i, 'each'])) return [];
      const expanded = expandEach(template, each as Static<typeof EachList>, room);
      if ('problems' in expanded) {
        for (const p of expanded.problems) yaml.report(['cases', i, ...p.where], p.rule);
        return [];
      }
      return expanded.cases.map((e) => placed(e.value, i, `cases[${i}] (each[${e.entry}])`, (path, ofSteps) => shownAt(e, path, ofSteps)));
    });
  }

  function placed(value: Record<string, unknown>, index: number, name: string, shown: (path: PathPart[], ofSteps?: boolean) => PathPart[] | undefined = () => undefined): PlacedCase {
    const where = ['cases', index];
    const moved = (path: PathPart[], ofSteps?: boolean) => {
      const at = shown(path, ofSteps);
      return at && [...where, ...at];
    };
    return {
      value,
      name,
      check: (schema, v, path) => yaml.check(schema, v, [...where, ...path], (errorPath) => moved(errorPath.slice(where.length))),
      report: (path, rule, ofSteps) => yaml.report([...where, ...path], rule, moved(path, ofSteps)),
    };
  }

  /** A cited rule must be in a bundled catalogue for this suite's service and side (docs/rules.md). */
  function checkRule(c: PlacedCase, id: string, where: PathPart[]): void {
    const service = isMapping(yaml.data) && typeof yaml.data.service === 'string' ? (yaml.data.service as ServiceName) : undefined;
    const peer = peerOf(isMapping(yaml.data) ? (yaml.data as { peer?: Peer }) : {});
    const book = bundledRuleBook();
    const rule = book.get(id);
    if (!rule) {
      const known = service ? book.forSuites(service, peer).map((r) => r.id) : [];
      const hint = closest(id, known, Infinity);
      c.report(where, `unknown rule "${id}"${hint ? ` (the closest is "${hint}")` : ''}; the rules are in suites/rules/*.rules.yaml`);
    } else if (service && !rule.services.includes(service)) {
      c.report(where, `rule "${id}" is for ${rule.services.join(', ')} suites (catalogue ${rule.catalogue}), not for the ${service} service`);
    } else if (service && !mayCite({ service, peer }, rule)) {
      c.report(where, `rule "${id}" is a rule for the ${rule.peer} of ${service} (catalogue ${rule.catalogue}), and this suite checks its ${peer}`);
    }
  }

  /** Each step, and the rule it names (`rule:`), which must be one its case cites. */
  function checkSteps(c: PlacedCase, steps: unknown[], where: PathPart[], caseRules: unknown[]): void {
    steps.forEach((step, i) => {
      if (!isMapping(step)) return; // the schema said so
      const stepPath = [...where, i];
      const keys = Object.keys(step);
      if (keys.length !== 1) {
        c.report(stepPath, `a step has exactly one key, its kind (${stepKindNames().join(', ')}); found ${keys.length ? keys.join(', ') : 'none'}`);
        return;
      }
      const name = keys[0];
      const kind = stepKind(name);
      if (!kind) {
        c.report(stepPath, `unknown step "${name}"${didYouMean(name, stepKindNames()) || `; steps are ${stepKindNames().join(', ')}`}`);
        return;
      }
      const raw = step[name];
      if (raw === null && takesEmpty(kind)) step[name] = {};
      else if (kind.shorthand === 'conn' && typeof raw === 'string') step[name] = { conn: raw };
      if (!c.check(kind.schema, step[name], [...stepPath, name])) return;
      const rule = isMapping(step[name]) ? step[name].rule : undefined;
      if (typeof rule === 'string' && !caseRules.includes(rule)) {
        const cited = caseRules.length ? `the case's rules are ${caseRules.join(', ')}` : 'the case cites none (rules: [...])';
        c.report([...stepPath, name, 'rule'], `"${rule}" is not a rule this case cites; ${cited}`);
      }
      for (const list of kind.nested?.(step[name]) ?? []) checkSteps(c, list.steps, [...stepPath, name, ...list.path], caseRules);
    });
  }
}

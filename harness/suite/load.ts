import { CheckedYaml, type PathPart } from './checked-yaml';
import { didYouMean } from './closest';
import { SuiteSchema, type Case, type Suite } from './schema';
import { closest } from './closest';
import { bundledRuleBook } from './rules';
import { checkCaseBudget } from './case-budget';
import { checkStepUse } from './step-use';
import type { ServiceName } from '../targets/target';
import { stepKind, stepKindNames, takesEmpty } from '../steps/registry';

const isMapping = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads a suite file and checks it completely, or throws a SuiteError naming, for each rule broken,
 * the file, line and column. Synchronous, because jest defines tests synchronously.
 */
export function loadSuite(file: string): Suite {
  const yaml = new CheckedYaml(file, 'suite');
  yaml.check(SuiteSchema, yaml.data, []);
  // The cases and steps are checked too when the suite around them is not right, as far as they
  // have the shape to be: every problem is reported at once.
  const cases = isMapping(yaml.data) && Array.isArray(yaml.data.cases) ? (yaml.data.cases as unknown[]) : [];
  const seen = new Map<string, number>();
  cases.forEach((c, i) => {
    if (!isMapping(c)) return;
    if (typeof c.id === 'string') {
      if (seen.has(c.id)) yaml.report(['cases', i, 'id'], `"${c.id}" is already the id of cases[${seen.get(c.id)}]`);
      else seen.set(c.id, i);
    }
    if (Array.isArray(c.steps)) checkSteps(c.steps, ['cases', i, 'steps'], Array.isArray(c.rules) ? (c.rules as unknown[]) : []);
    if (Array.isArray(c.rules)) c.rules.forEach((id, j) => typeof id === 'string' && checkRule(id, ['cases', i, 'rules', j]));
  });
  yaml.throwProblems();
  // The budget is reckoned from steps known to be right: once everything else is.
  cases.forEach((c, i) => checkCaseBudget((c as { steps: unknown[] }).steps, ['cases', i, 'steps'], (where, rule) => yaml.report(where, rule)));
  // How each step is used, by what its kind knows (steps/define.ts `check`, `needs`).
  cases.forEach((c, i) => checkStepUse(c as Case, (yaml.data as Suite).service, ['cases', i], (where, rule) => yaml.report(where, rule)));
  yaml.throwProblems();
  return { ...(yaml.data as Omit<Suite, 'file'>), file };

  /** A cited rule must be in a bundled catalogue for this suite's service (docs/rules.md). */
  function checkRule(id: string, where: PathPart[]): void {
    const service = isMapping(yaml.data) && typeof yaml.data.service === 'string' ? (yaml.data.service as ServiceName) : undefined;
    const book = bundledRuleBook();
    const rule = book.get(id);
    if (!rule) {
      const known = service ? book.forService(service).map((r) => r.id) : [];
      const hint = closest(id, known, Infinity);
      yaml.report(where, `unknown rule "${id}"${hint ? ` (the closest is "${hint}")` : ''}; the rules are in suites/rules/*.rules.yaml`);
    } else if (service && !rule.services.includes(service)) {
      yaml.report(where, `rule "${id}" is for ${rule.services.join(', ')} suites (catalogue ${rule.catalogue}), not for the ${service} service`);
    }
  }

  /** Each step, and the rule it names (`rule:`), which must be one its case cites. */
  function checkSteps(steps: unknown[], where: PathPart[], caseRules: unknown[]): void {
    steps.forEach((step, i) => {
      if (!isMapping(step)) return; // the schema said so
      const stepPath = [...where, i];
      const keys = Object.keys(step);
      if (keys.length !== 1) {
        yaml.report(stepPath, `a step has exactly one key, its kind (${stepKindNames().join(', ')}); found ${keys.length ? keys.join(', ') : 'none'}`);
        return;
      }
      const name = keys[0];
      const kind = stepKind(name);
      if (!kind) {
        yaml.report(stepPath, `unknown step "${name}"${didYouMean(name, stepKindNames()) || `; steps are ${stepKindNames().join(', ')}`}`);
        return;
      }
      const raw = step[name];
      if (raw === null && takesEmpty(kind)) step[name] = {};
      else if (kind.shorthand === 'conn' && typeof raw === 'string') step[name] = { conn: raw };
      if (!yaml.check(kind.schema, step[name], [...stepPath, name])) return;
      const rule = isMapping(step[name]) ? step[name].rule : undefined;
      if (typeof rule === 'string' && !caseRules.includes(rule)) {
        const cited = caseRules.length ? `the case's rules are ${caseRules.join(', ')}` : 'the case cites none (rules: [...])';
        yaml.report([...stepPath, name, 'rule'], `"${rule}" is not a rule this case cites; ${cited}`);
      }
      for (const list of kind.nested?.(step[name]) ?? []) checkSteps(list.steps, [...stepPath, name, ...list.path], caseRules);
    });
  }
}

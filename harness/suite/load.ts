import { CheckedYaml, type PathPart } from './checked-yaml';
import { SuiteSchema, type Suite } from './schema';
import { stepKind, stepKindNames, takesEmpty } from '../steps/registry';
import { closest } from './closest';
import { bundledRuleBook } from './rules';

/**
 * Reads a suite file and checks it completely, or throws a SuiteError naming the file, line, column
 * and the rule broken. Synchronous, because jest defines tests synchronously.
 */
export function loadSuite(file: string): Suite {
  const yaml = new CheckedYaml(file, 'suite');
  yaml.check(SuiteSchema, yaml.data, []);
  const suite = yaml.data as Omit<Suite, 'file'>;
  const seen = new Map<string, number>();
  suite.cases.forEach((c, i) => {
    if (seen.has(c.id)) throw yaml.error(['cases', i, 'id'], `"${c.id}" is already the id of cases[${seen.get(c.id)}]`);
    seen.set(c.id, i);
    checkSteps(c.steps as unknown[], ['cases', i, 'steps']);
    c.rules?.forEach((id, j) => checkRule(id, ['cases', i, 'rules', j]));
  });
  return { ...suite, file };

  /** A cited rule must be in a bundled catalogue for this suite's service (docs/rules.md). */
  function checkRule(id: string, where: PathPart[]): void {
    const book = bundledRuleBook();
    const rule = book.get(id);
    if (!rule) {
      const hint = closest(id, book.forService(suite.service).map((r) => r.id), Infinity);
      throw yaml.error(where, `unknown rule "${id}"${hint ? ` (the closest is "${hint}")` : ''}; the rules are in suites/rules/*.rules.yaml`);
    }
    if (!rule.services.includes(suite.service)) {
      throw yaml.error(where, `rule "${id}" is for ${rule.services.join(', ')} suites (catalogue ${rule.catalogue}), not for the ${suite.service} service`);
    }
  }

  function checkSteps(steps: unknown[], where: PathPart[]): void {
    steps.forEach((step, i) => {
      const stepPath = [...where, i];
      const keys = Object.keys(step as object);
      if (keys.length !== 1) {
        throw yaml.error(stepPath, `a step has exactly one key, its kind (${stepKindNames().join(', ')}); found ${keys.length ? keys.join(', ') : 'none'}`);
      }
      const name = keys[0];
      const kind = stepKind(name);
      if (!kind) {
        const hint = closest(name, stepKindNames());
        throw yaml.error(stepPath, `unknown step "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}; steps are ${stepKindNames().join(', ')}`);
      }
      const record = step as Record<string, unknown>;
      const raw = record[name];
      if (raw === null && takesEmpty(kind)) record[name] = {};
      else if (kind.shorthand === 'conn' && typeof raw === 'string') record[name] = { conn: raw };
      yaml.check(kind.schema, record[name], [...stepPath, name]);
      for (const list of kind.nested?.(record[name]) ?? []) checkSteps(list.steps, [...stepPath, name, ...list.path]);
    });
  }
}

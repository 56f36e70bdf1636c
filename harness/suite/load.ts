import { CheckedYaml, type PathPart } from './checked-yaml';
import { SuiteSchema, type Suite } from './schema';
import { stepKind, stepKindNames, takesEmpty } from '../steps/registry';

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
  });
  return { ...suite, file };

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

function closest(word: string, candidates: string[]): string | undefined {
  const distance = (a: string, b: string) => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let prev = row[0];
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const cur = row[j];
        row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
        prev = cur;
      }
    }
    return row[b.length];
  };
  const best = candidates.map((c) => ({ c, d: distance(word, c) })).sort((x, y) => x.d - y.d)[0];
  return best && best.d <= 2 ? best.c : undefined;
}

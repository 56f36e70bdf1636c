import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { LineCounter, parseDocument, isMap, isScalar, YAMLParseError, type Document, type Node } from 'yaml';
import type { TSchema } from '@sinclair/typebox';
import { SuiteSchema, type Suite } from './schema';
import { SuiteError } from './suite-error';
import { stepKind, stepKindNames, takesEmpty } from '../steps/registry';

type PathPart = string | number;

const ajv = new Ajv({ allErrors: false, strict: false, verbose: true });
/** Nested step lists are checked one step at a time below, so here a step is any mapping. */
const ANY_STEP = { step: { type: 'object' } };
const validators = new Map<TSchema, ValidateFunction>();

function validatorFor(schema: TSchema): ValidateFunction {
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile({ ...schema, $defs: ANY_STEP });
    validators.set(schema, validate);
  }
  return validate;
}

/**
 * Reads a suite file and checks it completely, or throws a SuiteError naming the file, line, column
 * and the rule broken. Synchronous, because jest defines tests synchronously.
 */
export function loadSuite(file: string): Suite {
  const shown = path.relative(process.cwd(), file) || file;
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SuiteError(shown, 1, 1, `cannot read the suite file: ${(err as Error).message}`);
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number, rule: string) => {
    const { line, col } = lineCounter.linePos(offset);
    return new SuiteError(shown, line, col, rule);
  };
  const syntaxError = doc.errors[0];
  if (syntaxError) throw at(syntaxError.pos[0], `YAML syntax: ${firstLine(syntaxError)}`);
  const data = doc.toJS() as unknown;

  const check = (schema: TSchema, value: unknown, where: PathPart[]) => {
    const validate = validatorFor(schema);
    if (!validate(value)) {
      const error = pickError(validate.errors ?? []);
      const errorPath = [...where, ...pointerParts(error.instancePath)];
      throw at(offsetOf(doc, errorPath, error), `${describePath(errorPath)}: ${explain(error)}`);
    }
  };

  check(SuiteSchema, data, []);
  const suite = data as Omit<Suite, 'file'>;
  const seen = new Map<string, number>();
  suite.cases.forEach((c, i) => {
    if (seen.has(c.id)) throw at(offsetOf(doc, ['cases', i, 'id']), `cases[${i}].id: "${c.id}" is already the id of cases[${seen.get(c.id)}]`);
    seen.set(c.id, i);
    checkSteps(c.steps as unknown[], ['cases', i, 'steps']);
  });
  return { ...suite, file };

  function checkSteps(steps: unknown[], where: PathPart[]): void {
    steps.forEach((step, i) => {
      const stepPath = [...where, i];
      const keys = Object.keys(step as object);
      if (keys.length !== 1) {
        throw at(offsetOf(doc, stepPath), `${describePath(stepPath)}: a step has exactly one key, its kind (${stepKindNames().join(', ')}); found ${keys.length ? keys.join(', ') : 'none'}`);
      }
      const name = keys[0];
      const kind = stepKind(name);
      if (!kind) {
        const hint = closest(name, stepKindNames());
        throw at(offsetOf(doc, stepPath), `${describePath(stepPath)}: unknown step "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}; steps are ${stepKindNames().join(', ')}`);
      }
      const record = step as Record<string, unknown>;
      const raw = record[name];
      if (raw === null && takesEmpty(kind)) record[name] = {};
      else if (kind.shorthand === 'conn' && typeof raw === 'string') record[name] = { conn: raw };
      check(kind.schema, record[name], [...stepPath, name]);
      for (const list of kind.nested?.(record[name]) ?? []) checkSteps(list.steps, [...stepPath, name, ...list.path]);
    });
  }
}

function firstLine(err: YAMLParseError): string {
  return err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/** ajv reports the failing branch errors of a union before the union itself; the union says it better. */
function pickError(errors: ErrorObject[]): ErrorObject {
  return errors.find((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf') ?? errors[0];
}

function explain(error: ErrorObject): string {
  const schema = error.parentSchema as { title?: string; oneOf?: { required?: string[] }[] } | undefined;
  switch (error.keyword) {
    case 'additionalProperties': {
      const allowed = Object.keys((schema as { properties?: object })?.properties ?? {});
      return `unknown field "${(error.params as { additionalProperty: string }).additionalProperty}" (allowed: ${allowed.join(', ')})`;
    }
    case 'oneOf': {
      const forms = (schema?.oneOf ?? []).flatMap((branch) => branch.required ?? []);
      if (forms.length === 0) break;
      const given = forms.filter((f) => Object.prototype.hasOwnProperty.call(error.data, f));
      return given.length === 0 ? `needs one of: ${forms.join(', ')}` : `give only one of ${forms.join(', ')}; found ${given.join(' and ')}`;
    }
    case 'anyOf':
      if (schema?.title) return `must be a ${schema.title}`;
      break;
    case 'enum':
      return `must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'required':
      return `missing field "${(error.params as { missingProperty: string }).missingProperty}"`;
  }
  return error.message ?? error.keyword;
}

function pointerParts(pointer: string): PathPart[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function describePath(parts: PathPart[]): string {
  if (parts.length === 0) return 'the suite';
  return parts.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** Where in the source a path points; for an unknown field, the field's own key. */
function offsetOf(doc: Document, parts: PathPart[], error?: ErrorObject): number {
  if (error?.keyword === 'additionalProperties') {
    const parent = doc.getIn(parts, true);
    if (isMap(parent)) {
      const extra = (error.params as { additionalProperty: string }).additionalProperty;
      const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === extra);
      const key = pair?.key as Node | undefined;
      if (key?.range) return key.range[0];
    }
  }
  for (let n = parts.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : (doc.getIn(parts.slice(0, n), true) as Node | undefined);
    if (node && typeof node === 'object' && 'range' in node && node.range) return node.range[0];
  }
  return 0;
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

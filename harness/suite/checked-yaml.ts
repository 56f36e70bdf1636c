import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import { LineCounter, parseDocument, isMap, isScalar, YAMLParseError, type Document, type Node } from 'yaml';
import type { TSchema } from '@sinclair/typebox';
import { SuiteError, type FileKind } from './suite-error';

export type PathPart = string | number;

const ajv = new Ajv({ allErrors: false, strict: false, verbose: true });
/** Nested step lists are checked one step at a time by the suite loader, so here a step is any mapping. */
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
 * A YAML file read with its positions kept, so that every rule it breaks is reported as
 * file:line:column (a SuiteError). Used for suite files and for targets files.
 */
export class CheckedYaml {
  readonly data: unknown;
  private readonly shown: string;
  private readonly lineCounter = new LineCounter();
  private readonly doc: Document;

  constructor(
    file: string,
    private readonly kind: FileKind,
  ) {
    this.shown = path.relative(process.cwd(), file) || file;
    let source: string;
    try {
      source = readFileSync(file, 'utf8');
    } catch (err) {
      throw new SuiteError(this.shown, 1, 1, `cannot read the ${kind}: ${(err as Error).message}`, kind);
    }
    this.doc = parseDocument(source, { lineCounter: this.lineCounter, prettyErrors: false, uniqueKeys: true });
    const syntaxError = this.doc.errors[0];
    if (syntaxError) throw this.errorAt(syntaxError.pos[0], `YAML syntax: ${firstLine(syntaxError)}`);
    this.data = this.doc.toJS() as unknown;
  }

  /** Throws, at the offending node, if `value` (found at `where` in the file) breaks `schema`. */
  check(schema: TSchema, value: unknown, where: PathPart[]): void {
    const validate = validatorFor(schema);
    if (validate(value)) return;
    const error = pickError(validate.errors ?? []);
    const errorPath = [...where, ...pointerParts(error.instancePath)];
    throw this.errorAt(offsetOf(this.doc, errorPath, error), `${this.describePath(errorPath)}: ${explain(error)}`);
  }

  /** An error at the node `where` points to, for rules the schema cannot say (unique ids, ...). */
  error(where: PathPart[], rule: string): SuiteError {
    return this.errorAt(offsetOf(this.doc, where), `${this.describePath(where)}: ${rule}`);
  }

  private errorAt(offset: number, rule: string): SuiteError {
    const { line, col } = this.lineCounter.linePos(offset);
    return new SuiteError(this.shown, line, col, rule, this.kind);
  }

  private describePath(parts: PathPart[]): string {
    if (parts.length === 0) return `the ${this.kind}`;
    return parts.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
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

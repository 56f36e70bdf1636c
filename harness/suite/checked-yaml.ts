import path from 'node:path';
import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import { LineCounter, parseDocument, isAlias, isMap, isNode, isScalar, visit, YAMLParseError, type Document, type Node } from 'yaml';
import type { TSchema } from '@sinclair/typebox';
import { didYouMean } from './closest';
import { SuiteError, type FileKind } from './suite-error';
import { readInputText } from './input-file';
import { UNIT_KEYWORDS } from '../vocabulary/units';
import { REGEX_KEYWORD } from '../vocabulary/regex';

export type PathPart = string | number;
/** The node a problem found at a path is shown at, when not that path's own. */
export type ShownAt = (path: PathPart[]) => PathPart[] | undefined;

/**
 * The draft the published schemas declare (dependentRequired is of it); every error, not the first.
 * Infinity and NaN (YAML's .inf, .nan, 1e400) are no number a setting can be (strictNumbers); the
 * limits of durations and sizes and the regex check are keywords of their own. A union keyed by a
 * field (`discriminator`, the toxics) checks a value against the one branch its key names.
 */
const ajv = new Ajv2020({ allErrors: true, strict: false, verbose: true, strictNumbers: true, discriminator: true, keywords: [...UNIT_KEYWORDS, REGEX_KEYWORD] });
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
 * A YAML (or JSON) file read with its positions kept, so that every rule it breaks is reported as
 * file:line:column. The checks collect the problems; `throwProblems()` then throws one SuiteError
 * listing them all, first in the file first. Used for suite files, targets files and
 * sockspec.config.json.
 */
export class CheckedYaml {
  readonly data: unknown = undefined;
  private readonly shown: string;
  private readonly lineCounter = new LineCounter();
  private readonly doc: Document;
  private readonly problems: { offset: number; rule: string }[] = [];

  constructor(
    file: string,
    private readonly kind: FileKind,
  ) {
    this.shown = path.relative(process.cwd(), file) || file;
    const read = readInputText(file, kind);
    if (!('text' in read)) throw new SuiteError(this.shown, [read], kind);
    this.doc = parseDocument(read.text, { lineCounter: this.lineCounter, prettyErrors: false, uniqueKeys: true });
    // sockspec.config.json is read as YAML too (JSON is a part of YAML), its positions kept alike.
    const language = kind === 'config file' ? 'JSON' : 'YAML';
    for (const error of this.doc.errors) this.problems.push({ offset: error.pos[0], rule: `${language} syntax: ${firstLine(error)}` });
    this.checkDataOnly();
    this.throwProblems();
    try {
      this.data = this.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as unknown;
    } catch (err) {
      // Unresolved aliases are reported above: what toJS still refuses is an alias bomb.
      if (!(err instanceof ReferenceError)) throw err;
      const firstAlias = findNode(this.doc, isAlias);
      this.problems.push({ offset: firstAlias?.range?.[0] ?? 0, rule: `YAML: the aliases expand too far (an alias bomb?); a ${kind} is plain data, its aliases few` });
      this.throwProblems();
    }
  }

  /**
   * A file of settings is plain data: no tags (YAML would make a custom one a string silently, and
   * !!binary a Buffer), and every alias refers to an anchor before it.
   */
  private checkDataOnly(): void {
    visit(this.doc, (_, node) => {
      if (isAlias(node)) {
        if (!node.resolve(this.doc)) this.problems.push({ offset: node.range?.[0] ?? 0, rule: `YAML: alias *${node.source} refers to no anchor &${node.source} before it` });
      } else if (isNode(node) && node.tag !== undefined) {
        this.problems.push({ offset: node.range?.[0] ?? 0, rule: `YAML: tag ${shownTag(node.tag)} is not allowed: a ${this.kind} is plain data, without tags` });
      }
    });
  }

  /**
   * Notes, each at its node, every rule `value` (found at `where` in the file) breaks in `schema`;
   * true if none. `shownAt` moves a problem to another node: a case expanded by `each` shows the
   * problems a value of its entry caused at that value.
   */
  check(schema: TSchema, value: unknown, where: PathPart[], shownAt: ShownAt = () => undefined): boolean {
    const validate = validatorFor(schema);
    if (validate(value)) return true;
    for (const { error, rule, key, subject } of foldUnions(validate.errors ?? [])) {
      const errorPath = [...where, ...pointerParts(error.instancePath)];
      const described = subject === undefined ? errorPath : [...errorPath, subject];
      const moved = shownAt(errorPath);
      this.problems.push({ offset: moved ? offsetOf(this.doc, moved) : offsetOf(this.doc, errorPath, key), rule: `${this.describePath(described)}: ${rule}` });
    }
    return false;
  }

  /** Notes a rule the schema cannot say (unique ids, ...) broken at the node `where` points to (or the one `at` points to). */
  report(where: PathPart[], rule: string, at: PathPart[] = where): void {
    this.problems.push({ offset: offsetOf(this.doc, at), rule: `${this.describePath(where)}: ${rule}` });
  }

  /** Throws a SuiteError listing every problem noted so far, if there is one. */
  throwProblems(): void {
    if (this.problems.length === 0) return;
    const seen = new Set<string>();
    const problems = [...this.problems]
      .sort((a, b) => a.offset - b.offset)
      .map(({ offset, rule }) => {
        const { line, col } = this.lineCounter.linePos(offset);
        return { line, column: col, rule };
      })
      .filter((p) => {
        const key = `${p.line}:${p.column}:${p.rule}`;
        return !seen.has(key) && seen.add(key);
      });
    throw new SuiteError(this.shown, problems, this.kind);
  }

  private describePath(parts: PathPart[]): string {
    if (parts.length === 0) return `the ${this.kind}`;
    return parts.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
  }
}

/** How far aliases may expand (the yaml package's default): a billion-laughs bomb goes far past it. */
const MAX_ALIAS_COUNT = 100;

function findNode(doc: Document, test: (node: unknown) => boolean): Node | undefined {
  let found: Node | undefined;
  visit(doc, (_, node) => {
    if (!test(node)) return undefined;
    found = node as Node;
    return visit.BREAK;
  });
  return found;
}

/** A tag as written: !!str for the YAML core ones, else as it is. */
function shownTag(tag: string): string {
  const core = 'tag:yaml.org,2002:';
  return tag.startsWith(core) ? `!!${tag.slice(core.length)}` : tag;
}

function firstLine(err: YAMLParseError): string {
  return err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
}

/** One problem to report: the ajv error it stands for, and in words. */
interface SchemaProblem {
  error: ErrorObject;
  rule: string;
  /** The key of the mapping it is found at (an unknown field): the problem is shown there. */
  key?: string;
  /** The field of that mapping the rule is about, named in the message. */
  subject?: string;
}

const isUnion = (error: ErrorObject) => error.keyword === 'anyOf' || error.keyword === 'oneOf';

/**
 * ajv reports a failed union (TypeBox's Union is anyOf) together with the failure of each of its
 * branches. Said to the user: a union the value's type fits one branch of is that branch's problems
 * (a TLS mapping with an unknown field is an unknown field, not "must be a boolean"); otherwise the
 * union's alternatives ("must be one of: a, b"). Outer unions first, so nested ones fold likewise.
 */
function foldUnions(errors: ErrorObject[]): SchemaProblem[] {
  const union = errors.filter(isUnion).sort((a, b) => a.schemaPath.length - b.schemaPath.length)[0];
  if (!union) return errors.filter((e) => !saidBetter(e, errors)).map(problemOf);
  const inside = (e: ErrorObject) => e.schemaPath.startsWith(`${union.schemaPath}/`);
  const rest = errors.filter((e) => e !== union && !inside(e));
  return [...foldUnions(rest), ...foldUnion(union, errors.filter(inside))];
}

/**
 * A literal's schema fails both its type and its value ("must be a boolean", "must be true"): the
 * value says it. A union's missing key fails `required` and the discriminator: `required` says it.
 */
function saidBetter(error: ErrorObject, errors: ErrorObject[]): boolean {
  if (error.keyword === 'discriminator') return (error.params as { tagValue?: unknown }).tagValue === undefined;
  return error.keyword === 'type' && errors.some((e) => (e.keyword === 'const' || e.keyword === 'enum') && e.instancePath === error.instancePath && e.parentSchema === error.parentSchema);
}

function foldUnion(union: ErrorObject, branchErrors: ErrorObject[]): SchemaProblem[] {
  const schema = union.parentSchema as { title?: string };
  if (union.keyword === 'oneOf' || schema.title !== undefined) return [problemOf(union)];
  const branches = new Map<string, ErrorObject[]>();
  for (const error of branchErrors) {
    const branch = error.schemaPath.slice(union.schemaPath.length + 1).split('/')[0];
    branches.set(branch, [...(branches.get(branch) ?? []), error]);
  }
  // A branch fits when the value is of its type (or literal): its errors are about the value's insides.
  const misfit = (e: ErrorObject) => e.instancePath === union.instancePath && ['type', 'const', 'enum'].includes(e.keyword);
  const fitting = [...branches.values()].filter((errors) => !errors.some(misfit)).sort((a, b) => a.length - b.length)[0];
  return fitting ? foldUnions(fitting) : [problemOf(union)];
}

function problemOf(error: ErrorObject): SchemaProblem {
  const schema = error.parentSchema as { title?: string; properties?: object; oneOf?: { required?: string[] }[]; anyOf?: TSchema[] } | undefined;
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const extra = params.additionalProperty as string;
      const allowed = Object.keys(schema?.properties ?? {});
      const hint = didYouMean(extra, allowed);
      return { error, key: extra, rule: `unknown field "${extra}"${hint || ` (allowed: ${allowed.join(', ')})`}` };
    }
    case 'dependentRequired':
      return { error, key: params.property as string, subject: params.property as string, rule: `needs "${params.missingProperty as string}" too` };
    case 'oneOf': {
      const forms = (schema?.oneOf ?? []).flatMap((branch) => branch.required ?? []);
      if (forms.length === 0) break;
      const given = forms.filter((f) => Object.prototype.hasOwnProperty.call(error.data, f));
      return { error, rule: given.length === 0 ? `needs one of: ${forms.join(', ')}` : `give only one of ${forms.join(', ')}; found ${given.join(' and ')}` };
    }
    case 'anyOf':
      if (schema?.title) return { error, rule: `must be a ${schema.title}${notFinite(error.data)}` };
      return { error, rule: alternatives((schema?.anyOf ?? []).map(described)) };
    case 'discriminator': {
      // The key is not a string (a missing one is said by `required`), or names no branch: the keys there are.
      const tag = params.tag as string;
      if (params.error === 'tag') return { error, key: tag, subject: tag, rule: 'must be a string' };
      const keys = (error.parentSchema as { oneOf: { properties: Record<string, { const: unknown }> }[] }).oneOf.map((branch) => ({ literal: shown(branch.properties[tag].const) }));
      return { error, key: tag, subject: tag, rule: alternatives(keys) };
    }
    case 'enum':
      return { error, rule: alternatives((params.allowedValues as unknown[]).map((value) => ({ literal: shown(value) }))) };
    case 'const':
      return { error, rule: `must be ${shown(params.allowedValue)}` };
    case 'type':
      return { error, rule: `must be ${article(params.type as string)}` };
    case 'pattern':
      if (schema?.title) return { error, rule: `must be ${article(schema.title)}` };
      break;
    case 'minItems':
    case 'minProperties':
      if (params.limit === 1) return { error, rule: 'must not be empty' };
      break;
    case 'required':
      return { error, rule: `missing field "${params.missingProperty as string}"` };
  }
  return { error, rule: error.message ?? error.keyword };
}

/** What one branch of a union accepts: a literal value, or a kind of value ("a string"). */
function described(branch: TSchema): { literal: string } | { kind: string } {
  if ('const' in branch) return { literal: shown(branch.const) };
  if (typeof branch.title === 'string') return { kind: `a ${branch.title}` };
  return { kind: typeof branch.type === 'string' ? article(branch.type) : 'another form' };
}

function alternatives(branches: ({ literal: string } | { kind: string })[]): string {
  if (branches.every((b) => 'literal' in b)) return `must be one of: ${branches.map((b) => b.literal).join(', ')}`;
  return `must be ${branches.map((b) => ('literal' in b ? b.literal : b.kind)).join(' or ')}`;
}

/** A literal as the user writes it in YAML: a word as itself, anything else as JSON. */
function shown(value: unknown): string {
  return typeof value === 'string' && /^[\w.-]+$/.test(value) && !['true', 'false', 'null'].includes(value) ? value : JSON.stringify(value);
}

/** YAML's .inf, .nan and 1e400 are numbers, but none a setting can be. */
function notFinite(value: unknown): string {
  return typeof value === 'number' && !Number.isFinite(value) ? `, not ${value}` : '';
}

function article(type: string): string {
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

function pointerParts(pointer: string): PathPart[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/** Where in the source a path points; given a key, that key of the mapping there. */
function offsetOf(doc: Document, parts: PathPart[], key?: string): number {
  if (key !== undefined) {
    const parent = doc.getIn(parts, true);
    if (isMap(parent)) {
      const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === key);
      const keyNode = pair?.key as Node | undefined;
      if (keyNode?.range) return keyNode.range[0];
    }
  }
  for (let n = parts.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : (doc.getIn(parts.slice(0, n), true) as Node | undefined);
    if (node && typeof node === 'object' && 'range' in node && node.range) return node.range[0];
  }
  return 0;
}

import { Type } from '@sinclair/typebox';
import type { PathPart } from './checked-yaml';
import { didYouMean } from './closest';

/**
 * `each:` writes a case once for several values (a size sweep): the case is expanded, when the
 * suite loads, into one case per entry, `${name}` in any of its strings replaced by the entry's
 * value of `name`. A string that is one placeholder alone takes the value as it is (a number stays
 * a number); inside a longer string the value is written out. Ids and titles come from the values,
 * so each expanded case is a case of its own everywhere (reports, --filter, mutants' kill lists).
 * `${...}` is for values known at load; `{{name}}` (steps/placeholders.ts) for those known as a
 * step runs.
 */
const PLACEHOLDER = /\$\{([^{}]*)\}/g;
const NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

export const EACH_LIMITS = {
  /** Entries of one `each`. */
  entries: 1000,
  /** The text (as JSON) of all the cases `each` makes in a suite: expansion multiplies, so the file's own limit does not bound it. */
  expandedBytes: 16 * 1024 ** 2,
} as const;

type Value = string | number | boolean;
type Entry = Record<string, Value>;

export const EachList = Type.Array(Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()], { title: 'string, number or boolean' })), {
  minItems: 1,
  maxItems: EACH_LIMITS.entries,
  description: "the case once for each entry: ${name} in the case's strings is the entry's value of name",
});

/** One case `each` made: its entry's number, and where in it a value was put (a problem there is the value's). */
export interface ExpandedCase {
  value: Record<string, unknown>;
  entry: number;
  filled: { path: PathPart[]; name: string }[];
}

/** A problem of a case with `each`: its path in the case. */
export interface EachProblem {
  where: PathPart[];
  rule: string;
}

/**
 * The cases `template` (a case without its `each`) makes, one per entry, taking their size (as
 * JSON) from the `room` left, reckoned before each is made; or what is wrong with its placeholders
 * and entries.
 */
export function expandEach(template: Record<string, unknown>, entries: Entry[], room: { bytes: number }): { cases: ExpandedCase[] } | { problems: EachProblem[] } {
  const uses = placeholdersIn(template);
  const problems = placeholderProblems(uses, entries);
  if (problems.length) return { problems };
  const templateBytes = JSON.stringify(template).length;
  const cases: ExpandedCase[] = [];
  for (const [entry, values] of entries.entries()) {
    room.bytes -= uses.reduce((bytes, use) => bytes + String(values[use.name]).length - use.placeholder.length, templateBytes);
    if (room.bytes < 0) return { problems: [{ where: ['each'], rule: `the cases of this suite expand to more than ${EACH_LIMITS.expandedBytes / 1024 ** 2} MiB (as JSON) by entry ${entry}; fewer or smaller cases` }] };
    const filled: ExpandedCase['filled'] = [];
    cases.push({ value: fill(template, [], values, filled) as Record<string, unknown>, entry, filled });
  }
  return { cases };
}

/**
 * Where a problem found at `path` in an expanded case is shown: at the entry's value when the value
 * was put there. A problem of the steps as a whole (`ofSteps`: the budget, reckoned over all of
 * them) is shown at the first value put in any step.
 */
export function shownAt(expanded: ExpandedCase, path: PathPart[], ofSteps = false): PathPart[] | undefined {
  const put = expanded.filled.find((f) => (ofSteps ? f.path[0] === 'steps' : f.path.every((part, i) => path[i] === part)));
  return put && ['each', expanded.entry, put.name];
}

/** A `${...}` in a string of the case: where, as written, and the name in it. */
interface Use {
  path: PathPart[];
  placeholder: string;
  name: string;
}

function placeholdersIn(template: Record<string, unknown>): Use[] {
  const uses: Use[] = [];
  walkStrings(template, [], (text, path) => {
    for (const [placeholder, name] of text.matchAll(PLACEHOLDER)) uses.push({ path, placeholder, name });
  });
  return uses;
}

/** Every placeholder names a value each entry gives, and every value is used. */
function placeholderProblems(uses: Use[], entries: Entry[]): EachProblem[] {
  const problems: EachProblem[] = [];
  const given = [...new Set(entries.flatMap((e) => Object.keys(e)))];
  const used = new Set<string>();
  for (const { path, placeholder, name } of uses) {
    if (!NAME.test(name)) problems.push({ where: path, rule: `${placeholder} is no placeholder: a name is a letter, then letters, digits or _` });
    else if (!given.includes(name)) problems.push({ where: path, rule: `${placeholder} is no value of each${didYouMean(name, given) || (given.length ? `; its values are ${given.join(', ')}` : '')}` });
    else used.add(name);
  }
  entries.forEach((entry, i) => {
    const missing = [...used].filter((name) => !(name in entry));
    if (missing.length) problems.push({ where: ['each', i], rule: `gives no value for ${missing.join(', ')}; every entry gives every value the case uses` });
  });
  for (const name of given.filter((n) => !used.has(n))) {
    const first = entries.findIndex((e) => name in e);
    problems.push({ where: ['each', first, name], rule: `"${name}" is used nowhere in the case (\${${name}})` });
  }
  return problems;
}

function walkStrings(value: unknown, path: PathPart[], visit: (text: string, path: PathPart[]) => void): void {
  if (typeof value === 'string') visit(value, path);
  else if (Array.isArray(value)) value.forEach((item, i) => walkStrings(item, [...path, i], visit));
  else if (typeof value === 'object' && value !== null) for (const [key, item] of Object.entries(value)) walkStrings(item, [...path, key], visit);
}

/** A copy of `value` with the entry's values put in, noting where. */
function fill(value: unknown, path: PathPart[], entry: Entry, filled: ExpandedCase['filled']): unknown {
  if (typeof value === 'string') {
    const names = [...value.matchAll(PLACEHOLDER)].map((m) => m[1]);
    if (names.length === 0) return value;
    filled.push({ path, name: names[0] });
    const whole = names.length === 1 && value === `\${${names[0]}}`;
    return whole ? entry[names[0]] : value.replace(PLACEHOLDER, (_, name: string) => String(entry[name]));
  }
  if (Array.isArray(value)) return value.map((item, i) => fill(item, [...path, i], entry, filled));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fill(item, [...path, key], entry, filled)]));
  return value;
}

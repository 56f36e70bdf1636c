import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { STEP_KINDS } from '../harness/steps/registry';
import { toxicKinds } from '../harness/faults/toxics/registry';
import { OPTION_ALIASES, TOXIC_OPTIONS } from '../harness/faults/toxic';
import { TargetEntrySchema } from '../harness/cli/targets-file';
import { bundledSuite } from './support/run-suite';

const DOCS = path.join(__dirname, '..', 'docs');

/** A doc's text; empty when the file does not exist (yet), so what it should hold is reported missing. */
function doc(name: string): string {
  const file = path.join(DOCS, name);
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A name as a whole word: `expect` does not match inside `expect-close`. */
function word(name: string): string {
  return `(?<![\\w-])${escapeRegex(name)}(?![\\w-])`;
}

/** Documented means: named in a heading, or written in backticks anywhere. */
function documents(text: string, name: string): boolean {
  return new RegExp(`^#{1,6}[ \\t].*${word(name)}`, 'm').test(text) || text.includes(`\`${name}\``);
}

/** The text under the first heading that names `key` in backticks, up to the next heading of the same or a higher level. */
function section(text: string, key: string): string | undefined {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => /^#{1,6}[ \t]/.test(line) && line.includes(`\`${key}\``));
  if (start < 0) return undefined;
  const level = /^#+/.exec(lines[start])![0].length;
  const end = lines.findIndex((line, i) => i > start && new RegExp(`^#{1,${level}}[ \\t]`).test(line));
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

/** The text from the line `heading` to the next heading of the same or a higher level. */
function part(text: string, heading: string): string {
  const lines = text.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) return '';
  const level = /^#+/.exec(heading)![0].length;
  const end = lines.findIndex((line, i) => i > start && new RegExp(`^#{1,${level}}[ \\t]`).test(line));
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

describe('docs/suite-format.md and docs/chat-suite.md', () => {
  const text = `${doc('suite-format.md')}\n${doc('chat-suite.md')}`;

  test('document every step kind in STEP_KINDS (a heading or `name`)', () => {
    const undocumented = STEP_KINDS.map((kind) => kind.name).filter((name) => !documents(text, name));
    expect(undocumented).toEqual([]);
  });
});

describe.each([
  ['suite-format.md', '### faults'],
  ['faults.md', '## Toxics'],
])('docs/%s, under %s', (file, heading) => {
  const text = part(doc(file), heading);
  /** The table row of a toxic type: a line of a table with a cell that is the type in backticks. */
  const row = (type: string) => text.split('\n').find((line) => line.startsWith('|') && new RegExp(`\\|\\s*\`${escapeRegex(type)}\`\\s`).test(line)) ?? '';

  test.each(toxicKinds().map((kind) => [kind.type, kind] as const))('has a row for the %s toxic naming each of its attributes and their other spellings', (_, kind) => {
    const names = [...Object.keys(kind.attributes), ...Object.keys(kind.aliases ?? {})];
    expect(names.filter((name) => !row(kind.type).includes(`\`${name}\``))).toEqual([]);
  });

  test('names the fields every toxic takes, and their other spellings', () => {
    const names = [...Object.keys(TOXIC_OPTIONS), ...Object.keys(OPTION_ALIASES)];
    expect(names.filter((name) => !text.includes(`\`${name}\``))).toEqual([]);
  });
});

describe.each([
  ['tls.md', 'tls'],
  ['tls.md', 'tls-mtls'],
  ['echo.md', 'echo-tcp'],
  ['echo.md', 'echo-udp'],
])('docs/%s, the %s suite', (file, suiteName) => {
  const text = doc(file);

  test('has a section whose heading names the suite in backticks', () => {
    expect(section(text, suiteName)).toBeDefined();
  });

  test('names every case of the suite in that section, in backticks', () => {
    const body = section(text, suiteName) ?? '';
    const missing = bundledSuite(suiteName)
      .cases.map((c) => c.id)
      .filter((id) => !body.includes(`\`${id}\``));
    expect(missing).toEqual([]);
  });
});

describe('docs/targets.md', () => {
  test('documents every field of a targets file entry, in backticks', () => {
    const text = doc('targets.md');
    const missing = Object.keys(TargetEntrySchema.properties).filter((field) => !text.includes(`\`${field}\``));
    expect(missing).toEqual([]);
  });
});

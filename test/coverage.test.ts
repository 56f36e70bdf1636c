import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ZOO } from '../fixtures/mutants/zoo';
import { LIFECYCLE_MUTANTS } from '../fixtures/mutants/lifecycle';
import { NETWORK_MUTANTS } from '../fixtures/mutants/network';
import { CAPACITY_CHAT_MUTANTS, CAPACITY_MUTANTS } from '../fixtures/mutants/capacity';
import { CLIENT_SUITES } from '../fixtures/clients';
import { bundledSuiteNames } from '../harness/cli/suite-files';
import { bundledSuite } from './support/run-suite';
import { loadRuleBook, bundledRuleBook, mayCite, BUNDLED_RULES_DIR } from '../harness/suite/rules';
import { peerOf } from '../harness/suite/schema';
import { SuiteError } from '../harness/suite/suite-error';
import { computeCoverage, coverageMarkdown, coverageText, holeOf, totalsByLevel, type MutantRecord } from '../harness/suite/coverage';
import type { CatalogueRule } from '../harness/suite/rules';
import type { Suite } from '../harness/suite/schema';
import { sockspec } from './support/cli';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'rules');

/** A MUST rule only one mutant proves, and why: one realistic bug is all there is, or what a second would take. */
interface OneMutantEntry {
  rule: string;
  onlyBug?: string;
  missing?: string;
}

function errorOf(load: () => unknown): SuiteError {
  try {
    load();
  } catch (err) {
    if (err instanceof SuiteError) return err;
    throw err;
  }
  throw new Error('loaded without error');
}

describe('rules catalogues', () => {
  test('the bundled catalogues load, each rule with a level, a quoted text and a source', () => {
    const rules = bundledRuleBook().all();
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) expect([rule.text.trim(), rule.source.trim()]).not.toContain('');
  });

  test('an id given twice, in two files, is refused at the second, with file:line:column', () => {
    const error = errorOf(() => loadRuleBook(path.join(FIXTURES, 'duplicate-id')));
    expect(error.message).toMatch(/b\.rules\.yaml:9:9: rules\[1\]\.id: "rfc862-tcp-echo-back" is already the id of a rule in a\.rules\.yaml \(rules\[0\]\)$/);
    expect(error.kind).toBe('rules catalogue');
  });

  test('a field the schema does not know is refused at its key', () => {
    const error = errorOf(() => loadRuleBook(path.join(FIXTURES, 'unknown-field')));
    expect(error.message).toMatch(/a\.rules\.yaml:9:5: rules\[0\]: unknown field "unobservabel"/);
  });
});

describe('computeCoverage', () => {
  const rule = (id: string, level: CatalogueRule['level'], extra: Partial<CatalogueRule> = {}): CatalogueRule => ({
    id, level, text: 'x', source: 'y', catalogue: 'c', services: ['echo-tcp'], peer: 'server', ...extra,
  });
  const suite = {
    suite: 's', title: 't', service: 'echo-tcp', file: 'f',
    cases: [
      { id: 'a', title: 't', requirement: 'r', ref: 'x', steps: [], rules: ['must-proven'] },
      { id: 'b', title: 't', requirement: 'r', ref: 'x', steps: [], rules: ['must-unrelated-kill'] },
    ],
  } as unknown as Suite;
  const rules = [
    rule('must-proven', 'must'),
    rule('must-unrelated-kill', 'must'),
    rule('must-no-case', 'must'),
    rule('must-unobservable', 'must', { unobservable: 'why' }),
    rule('should-no-case', 'should'),
  ];
  const coverage = computeCoverage(rules, [suite], [
    { suite: 's', name: 'proves', breaks: ['must-proven'], kills: ['a'] },
    { suite: 's', name: 'proves-too', breaks: ['must-proven'], kills: ['a', 'b'] },
    // Breaks must-unrelated-kill but is killed only by case a, which does not cite it: no proof.
    { suite: 's', name: 'killed-elsewhere', breaks: ['must-unrelated-kill'], kills: ['a'] },
  ]);
  const byId = Object.fromEntries(coverage.map((c) => [c.rule.id, c]));

  test('a rule is proven by a mutant breaking it that a case citing it kills', () => {
    expect(byId['must-proven']).toMatchObject({ cases: ['s/a'], provenBy: ['s/proves', 's/proves-too'] });
    expect(holeOf(byId['must-proven'])).toBeUndefined();
  });

  test('a mutant killed only by a case that does not cite the rule proves nothing', () => {
    expect(byId['must-unrelated-kill']).toMatchObject({ cases: ['s/b'], provenBy: [] });
    expect(holeOf(byId['must-unrelated-kill'])).toBe('no mutant breaking it is killed by a case citing it');
  });

  test('a MUST rule without a case is a hole; unobservable ones and SHOULD rules are not', () => {
    expect(holeOf(byId['must-no-case'])).toBe('no case cites it');
    expect(holeOf(byId['must-unobservable'])).toBeUndefined();
    expect(holeOf(byId['should-no-case'])).toBeUndefined();
  });

  test('the text names the MUST rules no case checks', () => {
    expect(coverageText(coverage)).toContain('MUST rules no case checks: must-no-case');
  });

  test('totals count rules, unobservable ones, cited ones and proven ones per level', () => {
    expect(totalsByLevel(coverage)).toEqual({
      must: { rules: 4, unobservable: 1, withCase: 2, proven: 1, provenTwice: 1 },
      should: { rules: 1, unobservable: 0, withCase: 0, proven: 0, provenTwice: 0 },
      may: { rules: 0, unobservable: 0, withCase: 0, proven: 0, provenTwice: 0 },
    });
  });
});

describe('sockspec coverage', () => {
  test('lists the rules for the suite asked for, with the cases citing them in every bundled suite, and totals', async () => {
    const { code, stdout, stderr } = await sockspec(['coverage', '--suite', 'echo-udp']);
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout).toMatch(/^  rfc768-reply-to-source\s+must\s+echo-udp\/several-clients$/m);
    expect(stdout).toMatch(/^  rfc862-udp-answer\s+must\s+(capacity-udp\/\S+, )*echo-udp\/boundaries, .*network-udp\/loss-reported$/m);
    expect(stdout).not.toContain('rfc862-tcp-echo-back');
    expect(stdout).toMatch(/^must: 3 rules, 3 cited by a case, 0 unobservable$/m);
  }, 30_000);

  test('every bundled MUST rule is checked by a case or unobservable, and says why a rule cannot be checked', async () => {
    const { code, stdout } = await sockspec(['coverage']);
    expect(code).toBe(0);
    expect(stdout).not.toMatch(/^MUST rules no case checks/m);
    expect(stdout).toMatch(/^  chat-7\.1-compare-code-only\s+must\s+unobservable: a rule for checkers/m);
  }, 30_000);

  test('an unknown suite is a usage error', async () => {
    const { code, stderr } = await sockspec(['coverage', '--suite', 'no-such-suite']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^error: no suite named "no-such-suite" and no such file$/m);
  }, 30_000);
});

const TABLE_START = '<!-- coverage table: generated from the catalogues, suites and mutants by test/coverage.test.ts -->';
const TABLE_END = '<!-- end of the coverage table -->';

/** Text with every run of white space made one space, so quotes can be compared across line breaks. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ');
}

/** Every mutant server and client of the project, with the suite whose cases it is run against (test/mutants.test.ts, test/lifecycle.test.ts, test/capacity-mutants.test.ts, test/*-client-mutants.test.ts). */
function allMutants(): MutantRecord[] {
  const clientTables = Object.fromEntries(Object.entries(CLIENT_SUITES).map(([suite, { mutants }]) => [suite, mutants]));
  const tables: Record<string, Record<string, { breaks: string[]; kills: string[] }>> = { ...ZOO, lifecycle: LIFECYCLE_MUTANTS, capacity: CAPACITY_MUTANTS, 'capacity-chat': CAPACITY_CHAT_MUTANTS, ...NETWORK_MUTANTS, ...clientTables };
  return Object.entries(tables).flatMap(([suite, table]) => Object.entries(table).map(([name, m]) => ({ suite, name, breaks: m.breaks, kills: m.kills })));
}

describe('the bundled rules, suites and mutants', () => {
  const book = bundledRuleBook();
  const suites = bundledSuiteNames().map(bundledSuite);
  const mutants = allMutants();
  const coverage = computeCoverage(book.all(), suites, mutants);

  test('every case of every bundled suite cites the rules it checks', () => {
    const silent = suites.flatMap((suite) => suite.cases.filter((c) => !c.rules?.length).map((c) => `${suite.suite}/${c.id}`));
    expect(silent).toEqual([]);
  });

  test('every mutant names the rules it breaks, each a rule its suite may cite', () => {
    const suiteOf = Object.fromEntries(suites.map((s) => [s.suite, { service: s.service, peer: peerOf(s) }]));
    const wrong = mutants.flatMap((m) => {
      if (m.breaks.length === 0) return [`${m.suite}/${m.name}: breaks no rule`];
      return m.breaks.filter((id) => {
        const rule = book.get(id);
        return !rule || !mayCite(suiteOf[m.suite], rule);
      }).map((id) => `${m.suite}/${m.name}: ${id}`);
    });
    expect(wrong).toEqual([]);
  });

  test('the MUST rules with no case, or no mutant killed by a case citing them, are exactly suites/rules/known-holes.yaml', () => {
    const listed = (parse(readFileSync(path.join(BUNDLED_RULES_DIR, 'known-holes.yaml'), 'utf8')) as { holes: { rule: string; missing: string }[] }).holes;
    for (const entry of listed) expect(entry.missing?.trim()).toBeTruthy();
    const listedIds = listed.map((h) => h.rule);
    expect(listedIds.filter((id, i) => listedIds.indexOf(id) !== i)).toEqual([]);
    const holes = coverage.filter((c) => holeOf(c)).map((c) => `${c.rule.id}: ${holeOf(c)}`);
    const notListed = holes.filter((hole) => !listedIds.includes(hole.split(':')[0]));
    const closed = listedIds.filter((id) => !holes.some((hole) => hole.startsWith(`${id}:`)));
    // A new hole: add a case citing the rule and a mutant breaking it that the case kills (docs/rules.md).
    expect(notListed).toEqual([]);
    // A closed hole: remove it from known-holes.yaml, so the list only shrinks.
    expect(closed).toEqual([]);
  });

  test('the MUST rules a single mutant proves are exactly the oneMutant list of suites/rules/known-holes.yaml, each saying why', () => {
    const listed = (parse(readFileSync(path.join(BUNDLED_RULES_DIR, 'known-holes.yaml'), 'utf8')) as { oneMutant?: OneMutantEntry[] }).oneMutant ?? [];
    // Each says either why one realistic bug is all there is, or what a second mutant would take.
    expect(listed.filter((e) => [e.onlyBug, e.missing].filter((why) => why?.trim()).length !== 1).map((e) => e.rule)).toEqual([]);
    const listedIds = listed.map((e) => e.rule);
    expect(listedIds.filter((id, i) => listedIds.indexOf(id) !== i)).toEqual([]);
    const single = coverage.filter((c) => c.rule.level === 'must' && c.provenBy.length === 1).map((c) => c.rule.id);
    // A rule one mutant proves: write a second, independent one, or list it with the reason.
    expect(single.filter((id) => !listedIds.includes(id))).toEqual([]);
    // A listed rule now proven twice (or no longer at all): remove it, so the list only shrinks.
    expect(listedIds.filter((id) => !single.includes(id))).toEqual([]);
  });

  test('docs/rules.md holds the current coverage table (SOCKSPEC_UPDATE_DOCS=1 rewrites it)', () => {
    const file = path.join(__dirname, '..', 'docs', 'rules.md');
    const text = readFileSync(file, 'utf8');
    const [start, end] = [text.indexOf(TABLE_START), text.indexOf(TABLE_END)];
    expect([start >= 0, end > start]).toEqual([true, true]);
    const current = [TABLE_START, '', ...coverageMarkdown(coverage), '', ''].join('\n');
    if (process.env.SOCKSPEC_UPDATE_DOCS === '1') writeFileSync(file, text.slice(0, start) + current + text.slice(end));
    else expect(text.slice(start, end)).toBe(current);
  });

  test('a rule quoting a project doc quotes it word for word ([...] marks words left out)', () => {
    const docs = new Map<string, string>();
    const misquoted = book.all().flatMap((rule) => {
      const doc = /^(docs\/[\w-]+\.md)\b/.exec(rule.source)?.[1];
      if (!doc) return [];
      if (!docs.has(doc)) docs.set(doc, oneLine(readFileSync(path.join(__dirname, '..', doc), 'utf8')));
      const text = docs.get(doc) as string;
      return oneLine(rule.text)
        .split(/\[[^\]]*\]/)
        .map((part) => part.trim())
        .filter((part) => part.length > 0 && !text.includes(part))
        .map((part) => `${rule.id}: "${part}" is not in ${doc}`);
    });
    expect(misquoted).toEqual([]);
  });

  test('every numbered clause of docs/chat-protocol.md with MUST, SHOULD or MAY has a rule', () => {
    const text = readFileSync(path.join(__dirname, '..', 'docs', 'chat-protocol.md'), 'utf8');
    const clauses = [...text.matchAll(/^(\d+\.\d+)\. ([\s\S]*?)(?=^\d+\.\d+\. |^#|(?![\s\S]))/gm)]
      .filter(([, number, body]) => !number.startsWith('1.') && /\b(MUST|SHOULD|MAY)\b/.test(body))
      .map(([, number]) => number);
    expect(clauses.length).toBeGreaterThan(20);
    const sources = new Set(book.all().map((rule) => rule.source));
    expect(clauses.filter((number) => !sources.has(`docs/chat-protocol.md §${number}`))).toEqual([]);
  });

  test('SHOULD and MAY rules are reported, not enforced', () => {
    const report = coverage
      .filter((c) => c.rule.level !== 'must')
      .map((c) => `${c.rule.id} (${c.rule.level}): ${c.rule.unobservable ? 'unobservable' : c.provenBy.length ? `proven by ${c.provenBy.join(', ')}` : c.cases.length ? 'cited, no mutant' : 'no case'}`);
    console.log(`SHOULD and MAY rules:\n  ${report.join('\n  ')}`);
    expect(report.length).toBeGreaterThan(0);
  });
});

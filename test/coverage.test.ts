import path from 'node:path';
import { loadRuleBook, bundledRuleBook } from '../harness/suite/rules';
import { SuiteError } from '../harness/suite/suite-error';
import { computeCoverage, holeOf, totalsByLevel } from '../harness/suite/coverage';
import type { CatalogueRule } from '../harness/suite/rules';
import type { Suite } from '../harness/suite/schema';
import { sockspec } from './support/cli';

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'rules');

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
    id, level, text: 'x', source: 'y', catalogue: 'c', services: ['echo-tcp'], ...extra,
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
    // Breaks must-unrelated-kill but is killed only by case a, which does not cite it: no proof.
    { suite: 's', name: 'killed-elsewhere', breaks: ['must-unrelated-kill'], kills: ['a'] },
  ]);
  const byId = Object.fromEntries(coverage.map((c) => [c.rule.id, c]));

  test('a rule is proven by a mutant breaking it that a case citing it kills', () => {
    expect(byId['must-proven']).toMatchObject({ cases: ['s/a'], provenBy: ['s/proves'] });
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

  test('totals count rules, unobservable ones, cited ones and proven ones per level', () => {
    expect(totalsByLevel(coverage)).toEqual({
      must: { rules: 4, unobservable: 1, withCase: 2, proven: 1 },
      should: { rules: 1, unobservable: 0, withCase: 0, proven: 0 },
      may: { rules: 0, unobservable: 0, withCase: 0, proven: 0 },
    });
  });
});

describe('sockspec coverage', () => {
  test('lists the rules for the suite asked for, with the cases citing them in every bundled suite, and totals', async () => {
    const { code, stdout, stderr } = await sockspec(['coverage', '--suite', 'echo-udp']);
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout).toMatch(/^  rfc768-reply-to-source\s+must\s+echo-udp\/several-clients$/m);
    expect(stdout).toMatch(/^  rfc862-udp-answer\s+must\s+echo-udp\/boundaries, .*network-udp\/loss-reported$/m);
    expect(stdout).not.toContain('rfc862-tcp-echo-back');
    expect(stdout).toMatch(/^must: 3 rules, 3 cited by a case, 0 unobservable$/m);
  }, 30_000);

  test('names the MUST rules no case checks, and says why a rule cannot be checked', async () => {
    const { code, stdout } = await sockspec(['coverage', '--suite', 'chat']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^MUST rules no case checks: .*chat-2\.2-crlf-accepted/m);
    expect(stdout).toMatch(/^  chat-7\.1-compare-code-only\s+must\s+unobservable: a rule for checkers/m);
  }, 30_000);

  test('an unknown suite is a usage error', async () => {
    const { code, stderr } = await sockspec(['coverage', '--suite', 'no-such-suite']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^error: no suite named "no-such-suite" and no such file$/m);
  }, 30_000);
});

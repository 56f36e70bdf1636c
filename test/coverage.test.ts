import path from 'node:path';
import { loadRuleBook, bundledRuleBook } from '../harness/suite/rules';
import { SuiteError } from '../harness/suite/suite-error';

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

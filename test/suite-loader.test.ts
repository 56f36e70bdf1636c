import path from 'node:path';
import { loadSuite } from '../harness/suite/load';
import { SuiteError } from '../harness/suite/suite-error';
import { bundledSuiteNames } from '../harness/cli/suite-files';
import { bundledSuite } from './support/run-suite';

const MALFORMED = path.join(__dirname, '..', 'fixtures', 'suites', 'malformed');

function errorOf(name: string): SuiteError {
  try {
    loadSuite(path.join(MALFORMED, `${name}.suite.yaml`));
  } catch (err) {
    if (err instanceof SuiteError) return err;
    throw err;
  }
  throw new Error(`${name} loaded without error`);
}

describe('malformed suites are reported with file, line, column and the rule broken', () => {
  test.each([
    ['unknown-step', 11, 9, /unknown step "sned" \(did you mean "send"\?\)/],
    ['unknown-field', 10, 27, /send: unknown field "chunks" \(allowed: conn, text, .*chunk/],
    ['two-forms', 10, 15, /give only one of text, hex, base64, random, counter; found text and hex/],
    ['bad-duration', 10, 16, /sleep: must be a duration/],
    ['syntax', 3, 1, /YAML syntax: Flow sequence/],
    ['missing', 5, 5, /cases\[0\]: missing field "requirement"/],
    ['nested', 14, 31, /parallel\.steps\[1\]\.expect\.sent: must be/],
    ['unknown-rule', 9, 35, /cases\[0\]\.rules\[1\]: unknown rule "rfc862-tcp-echo-bak" \(the closest is "rfc862-tcp-echo-back"\)/],
    ['rule-of-other-service', 9, 13, /rule "chat-5\.2-not-to-sender" is for chat suites \(catalogue chat\), not for the echo-tcp service/],
  ])('%s', (name, line, column, rule) => {
    const error = errorOf(name);
    expect([error.line, error.column]).toEqual([line, column]);
    expect(error.rule).toMatch(rule);
    expect(error.message).toContain(`${name}.suite.yaml:${line}:${column}: `);
  });
});

describe('bundled suites', () => {
  test.each(bundledSuiteNames())('%s loads, and every case cites a reference and a requirement', (name) => {
    const suite = bundledSuite(name);
    expect(suite.suite).toBe(name);
    for (const c of suite.cases) {
      expect(c.ref.trim()).not.toBe('');
      expect(c.requirement.trim()).not.toBe('');
    }
  });
});

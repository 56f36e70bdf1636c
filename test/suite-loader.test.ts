import path from 'node:path';
import { loadSuite } from '../harness/suite/load';
import { SuiteError } from '../harness/suite/suite-error';
import { bundledSuiteNames } from '../harness/cli/suite-files';
import { stepKindNames } from '../harness/steps/registry';
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
    ['unknown-step', 11, 9, 'cases[0].steps[1]: unknown step "sned" (did you mean "send"?)'],
    ['unknown-field', 10, 27, 'cases[0].steps[0].send: unknown field "chunks" (did you mean "chunk"?)'],
    ['two-forms', 10, 15, 'cases[0].steps[0].send: give only one of text, hex, base64, random, counter; found text and hex'],
    ['bad-duration', 10, 16, 'cases[0].steps[0].sleep: must be a duration (250, "250ms", "2s", "1m")'],
    ['syntax', 3, 1, 'YAML syntax: Flow sequence in block collection must be sufficiently indented and end with a ]'],
    ['missing', 5, 5, 'cases[0]: missing field "requirement"'],
    ['nested', 14, 31, 'cases[0].steps[0].parallel.steps[1].expect.sent: must be true'],
    ['unknown-service', 3, 10, 'service: must be one of: echo-tcp, echo-udp, tls-echo, tls-echo-mtls, chat'],
    ['unknown-rule', 9, 35, 'cases[0].rules[1]: unknown rule "rfc862-tcp-echo-bak" (the closest is "rfc862-tcp-echo-back"); the rules are in suites/rules/*.rules.yaml'],
    [
      'step-rule-not-cited',
      16,
      43,
      'cases[0].steps[2].parallel.steps[0].expect.rule: "rfc862-tcp-until-client-closes" is not a rule this case cites; the case\'s rules are rfc862-tcp-echo-back',
    ],
    ['rule-of-other-service', 9, 13, 'cases[0].rules[0]: rule "chat-5.2-not-to-sender" is for chat suites (catalogue chat), not for the echo-tcp service'],
  ])('%s', (name, line, column, rule) => {
    const error = errorOf(name);
    expect(error.message).toBe(`fixtures/suites/malformed/${name}.suite.yaml:${line}:${column}: ${rule}`);
    expect([error.line, error.column, error.rule]).toEqual([line, column, rule]);
  });

  test('an unknown step unlike any other is told the steps there are', () => {
    expect(errorOf('unlike-any-step').rule).toBe(`cases[0].steps[1]: unknown step "shout"; steps are ${stepKindNames().join(', ')}`);
  });

  test('a union is reported as its alternatives, or as the problems of the branch the value is of', () => {
    expect(errorOf('tls-field').message.split('\n')).toEqual([
      'fixtures/suites/malformed/tls-field.suite.yaml:10:41: cases[0].steps[0].connect.tls: unknown field "verfy" (did you mean "verify"?)',
      '  fixtures/suites/malformed/tls-field.suite.yaml:11:34: cases[0].steps[1].connect.tls: must be a boolean or an object',
      '  fixtures/suites/malformed/tls-field.suite.yaml:12:41: cases[0].steps[2].connect.tls.min: must be one of: TLSv1, TLSv1.1, TLSv1.2, TLSv1.3',
    ]);
  });

  test('every problem is found, the first five are shown in file order, the rest counted', () => {
    const error = errorOf('many-problems');
    expect(error.problems).toHaveLength(7);
    const file = 'fixtures/suites/malformed/many-problems.suite.yaml';
    expect(error.message.split('\n')).toEqual([
      `${file}:5:3: defaults: unknown field "stepTimout" (did you mean "stepTimeout"?)`,
      `  ${file}:11:12: cases[0].level: must be one of: must, should, info`,
      `  ${file}:14:9: cases[0].steps[1]: unknown step "sned" (did you mean "send"?)`,
      `  ${file}:15:9: cases[1].id: "one" is already the id of cases[0]`,
      `  ${file}:20:27: cases[1].steps[0].send: unknown field "chunks" (did you mean "chunk"?)`,
      '  … and 2 more',
    ]);
    expect(error.problems.slice(5).map((p) => [p.line, p.column, p.rule])).toEqual([
      [21, 16, 'cases[1].steps[1].sleep: must be a duration (250, "250ms", "2s", "1m")'],
      [22, 25, 'cases[1].steps[2].expect.sent: must be true'],
    ]);
  });

  test('has no stack: jest shows a malformed suite as the message alone', () => {
    expect(errorOf('many-problems').stack).toBe('');
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

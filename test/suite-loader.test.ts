import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadSuite } from '../harness/suite/load';
import { SuiteError } from '../harness/suite/suite-error';
import { EACH_LIMITS } from '../harness/suite/each';
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
    ['rule-of-other-side', 9, 13, 'cases[0].rules[0]: rule "echo-client-3.4-reply-unchanged" is a rule for the client of echo-tcp (catalogue echo-client), and this suite checks its server'],
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

describe('each: a case written once for several values', () => {
  const sweep = () => loadSuite(path.join(__dirname, '..', 'fixtures', 'suites', 'each', 'sweep.suite.yaml'));

  test('expands to a case per entry, ${name} filled in: alone the value as it is, inside a string written out', () => {
    const [first, ...sizes] = sweep().cases;
    expect(sizes.map((c) => [c.id, c.title, c.requirement])).toEqual([
      ['size-1', '1 bytes, one byte, come back', 'Any data received is sent back (1 bytes).'],
      ['size-1024', '1024 bytes, a 1 KiB read, come back', 'Any data received is sent back (1024 bytes).'],
    ]);
    expect(sizes.map((c) => c.steps.slice(0, 2))).toEqual([
      [{ connect: { tls: false } }, { send: { random: { bytes: 1 }, window: '64KiB' } }],
      [{ connect: { tls: false } }, { send: { random: { bytes: 1024 }, window: '64KiB' } }],
    ]);
    expect(sizes.every((c) => !('each' in c))).toBe(true);
    // A case without each is as written: ${...} is only for cases with each.
    expect(first.title).toBe('A case without each is as written, ${literal} and all');
    expect(first.steps[1]).toEqual({ send: { text: '${not-a-placeholder}' } });
  });

  test('the expanded cases do not share what the loader fills in (shorthands)', () => {
    const [, one, two] = sweep().cases;
    expect(one.steps[3]).toEqual({ close: {} });
    expect(one.steps[3]).not.toBe(two.steps[3]);
  });

  test.each([
    // A value that makes a step (or the id) invalid is shown at the value, in its entry.
    ['each-bad-value', 11, 17, 'cases[0].steps[1].send.random.bytes: must be a size (1025, "64KiB", "16MiB")'],
    ['each-bad-id', 10, 17, 'cases[0].id: must match pattern "^[a-z0-9][a-z0-9.-]*$"'],
    ['each-rule-not-cited', 12, 26, 'cases[0].steps[2].expect.rule: "rfc862-tcp-until-client-closes" is not a rule this case cites; the case\'s rules are rfc862-tcp-echo-back'],
    // The budget applies to each expanded case, and is shown at the value that broke it.
    ['each-budget', 11, 19, 'cases[0].steps[0].parallel.steps[0].repeat.steps[0].connect: the case opens 10100 connections by here (nested parallel and repeat multiply); a case opens at most 10000'],
    // Ids are unique after expansion.
    ['each-duplicate-id', 17, 17, 'cases[1].id: "size-1" is already the id of cases[0]'],
    ['each-unknown-placeholder', 6, 12, 'cases[0].title: ${sise} is no value of each (did you mean "size"?)'],
    ['each-not-a-name', 6, 12, 'cases[0].title: ${1st} is no placeholder: a name is a letter, then letters, digits or _'],
    ['each-missing-value', 11, 9, 'cases[0].each[1]: gives no value for bytes; every entry gives every value the case uses'],
    ['each-unused-value', 10, 27, 'cases[0].each[0].bytes: "bytes" is used nowhere in the case (${bytes})'],
  ])('%s', (name, line, column, rule) => {
    const error = errorOf(name);
    expect(error.message).toBe(`fixtures/suites/malformed/${name}.suite.yaml:${line}:${column}: ${rule}`);
  });

  test('entries hold plain values, and there is at least one', () => {
    expect(errorOf('each-not-scalar').message.split('\n')).toEqual([
      'fixtures/suites/malformed/each-not-scalar.suite.yaml:10:17: cases[0].each[0].size: must be a string, number or boolean',
      '  fixtures/suites/malformed/each-not-scalar.suite.yaml:17:11: cases[1].each: must not be empty',
    ]);
  });

  test('an id made twice by one each names the entry that made it first', () => {
    const file = path.join(MALFORMED, 'each-duplicate-id.suite.yaml');
    const twice = readFileSync(file, 'utf8').replace('{ size: 2 }', '{ size: 1 }').replace(/^  - id: size-1\n(.*\n){5}/m, '');
    const copy = path.join(mkdtempSync(path.join(tmpdir(), 'each-')), 'twice.suite.yaml');
    writeFileSync(copy, twice);
    expect(() => loadSuite(copy)).toThrow(/:11:17: cases\[0\]\.id: "size-1" is already the id of cases\[0\] \(each\[0\]\)$/);
  });

  test.each([
    ['many entries', Array.from({ length: EACH_LIMITS.entries }, (_, i) => `{ n: ${i} }`), `"${'x'.repeat(EACH_LIMITS.expandedBytes / EACH_LIMITS.entries + 1)}"`],
    // One entry whose value is used many times: the size is reckoned with the values put in.
    ['a value used many times', [`{ n: 0, text: "${'x'.repeat(100_000)}" }`], `"${'${text}'.repeat(200)}"`],
  ])('what the cases of a suite expand to is bounded: %s', (_, entries, text) => {
    const suite = ['suite: big', 'title: Big', 'service: echo-tcp', 'cases:', '  - id: c-${n}', '    title: t', '    requirement: r', '    ref: RFC 862', '    each:', ...entries.map((e) => `      - ${e}`), '    steps:', `      - send: { text: ${text} }`];
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'each-')), 'big.suite.yaml');
    writeFileSync(file, suite.join('\n'));
    expect(() => loadSuite(file)).toThrow(/:10:7: cases\[0\]\.each: the cases of this suite expand to more than 16 MiB \(as JSON\) by entry \d+; fewer or smaller cases$/);
  });
});

describe('bundled suites', () => {
  // The sweeps are written with each; their cases are the ones they were written out as before.
  test('the size sweeps of echo-tcp and tls keep their ids and titles', () => {
    const cases = (name: string, prefix: string) => bundledSuite(name).cases.filter((c) => c.id.startsWith(prefix)).map((c) => `${c.id}: ${c.title}`);
    expect(cases('echo-tcp', 'size-')).toEqual([
      'size-0: A connection closed without data gets no data, then FIN',
      'size-1: 1 byte comes back',
      'size-1023: 1023 bytes come back',
      'size-1024: 1024 bytes come back',
      'size-1025: 1025 bytes come back',
      'size-64k: 64 KiB come back byte for byte',
      'size-1m: 1 MiB comes back byte for byte',
      'size-16m: 16 MiB come back byte for byte',
    ]);
    expect(cases('tls', 'integrity-')).toEqual([
      'integrity-1: 1 byte over TLS comes back',
      'integrity-16k: 16 KiB (one full TLS record) comes back',
      'integrity-16k-plus-1: 16 KiB + 1 byte (two records) comes back',
      'integrity-1m: 1 MiB comes back byte for byte',
    ]);
  });

  test.each(bundledSuiteNames())('%s loads, and every case cites a reference and a requirement', (name) => {
    const suite = bundledSuite(name);
    expect(suite.suite).toBe(name);
    for (const c of suite.cases) {
      expect(c.ref.trim()).not.toBe('');
      expect(c.requirement.trim()).not.toBe('');
    }
  });
});

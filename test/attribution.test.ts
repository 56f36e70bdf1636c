import path from 'node:path';
import { loadSuite } from '../harness/suite/load';
import type { Case } from '../harness/suite/schema';
import type { Step } from '../harness/steps/registry';
import { attribute } from '../harness/run/attribution';
import { runCase, type CaseOutcome } from '../harness/run/run-case';
import { REFERENCE_SERVERS } from '../harness/servers/catalog';
import type { RunningServer } from '../harness/servers/running-server';
import { toRecord, type OutcomeRecord } from '../harness/report/outcome-record';
import { resultsOf } from '../harness/report/results-json';
import { junitXml } from '../harness/report/junit';
import { mergeResults } from '../harness/report/merge';

/** A failed case names the rule whose check failed: its step's `rule:`, a precondition, or the case's rules. */
const suite = loadSuite(path.join(__dirname, '..', 'fixtures', 'suites', 'attribution', 'attribution.suite.yaml'));
const ECHO_BACK = 'Once a connection is established any data received is sent back.';
let server: RunningServer;
const outcomes = new Map<string, CaseOutcome>();
const records = new Map<string, OutcomeRecord>();

beforeAll(async () => {
  server = await REFERENCE_SERVERS['echo-tcp'].start({});
  for (const c of suite.cases) {
    const outcome = await runCase(suite, c, { 'echo-tcp': { host: server.host, port: server.port, transport: 'tcp' } });
    outcomes.set(c.id, outcome);
    records.set(c.id, toRecord(outcome));
  }
}, 30_000);
afterAll(() => server?.close());

const record = (id: string) => records.get(id) as OutcomeRecord;

describe('a failed case names the rule broken', () => {
  test('the failing step names its rule: the record, its one line and its message quote that rule', () => {
    const r = record('step-names-rule');
    expect(r.verdict).toBe('fail');
    expect(r.rule).toEqual({ id: 'rfc862-tcp-echo-back', level: 'must', text: ECHO_BACK });
    expect(r.summary).toMatch(/^breaks rfc862-tcp-echo-back \[must\]: /);
    expect(r.message?.split('\n')[2]).toBe(`breaks rfc862-tcp-echo-back [must]: "${ECHO_BACK}"`);
    expect(r.message).not.toContain('rfc862-tcp-until-client-closes');
  });

  test('a step before the first that names a rule is a precondition of the named rules, charged to the others', () => {
    const r = record('precondition');
    expect(r.verdict).toBe('fail');
    expect(r.precondition).toEqual(['rfc862-tcp-until-client-closes']);
    expect(r.rule?.id).toBe('rfc862-tcp-echo-back');
    expect(r.summary).toMatch(/^precondition failed \(before the checks of rfc862-tcp-until-client-closes\), breaks rfc862-tcp-echo-back \[must\]: /);
    expect(r.message?.split('\n')[2]).toBe(`precondition failed (before the checks of rfc862-tcp-until-client-closes), breaks rfc862-tcp-echo-back [must]: "${ECHO_BACK}"`);
  });

  test('a precondition when steps name every rule of the case: no rule is said broken', () => {
    const r = record('precondition-of-all');
    expect(r.rule).toBeUndefined();
    expect(r.precondition).toEqual(['rfc862-tcp-echo-back', 'rfc862-tcp-until-client-closes']);
    expect(r.summary).toMatch(/^precondition failed \(before the checks of rfc862-tcp-echo-back, rfc862-tcp-until-client-closes\): expected/);
    expect(r.message).toContain('precondition failed (before the checks of rfc862-tcp-echo-back, rfc862-tcp-until-client-closes): the case failed setting up');
    expect(r.message).not.toContain('breaks');
  });

  test('a step naming no rule after the checks began: the case\'s rules, each quoted', () => {
    const r = record('after-the-checks');
    expect([r.rule, r.precondition]).toEqual([undefined, undefined]);
    expect(r.summary).toMatch(/^breaks one of rfc862-tcp-echo-back, rfc862-tcp-until-client-closes: /);
    expect(r.message).toContain(`breaks one of the case's rules (the failing step names none):\n  rfc862-tcp-echo-back [must]: "${ECHO_BACK}"\n  rfc862-tcp-until-client-closes [must]: "`);
  });

  test('a case citing one rule, no step naming it: that rule', () => {
    expect(record('only-rule').rule?.id).toBe('rfc862-tcp-echo-back');
    expect(record('only-rule').summary).toMatch(/^breaks rfc862-tcp-echo-back \[must\]: /);
  });

  test('inside a parallel step, the failing nested step\'s rule', () => {
    expect(outcomes.get('nested-rule')?.failure?.step?.path).toBe('1.5');
    expect(record('nested-rule').rule?.id).toBe('rfc862-tcp-until-client-closes');
  });

  test('results.json carries the rule, and a rules list with each rule\'s cases and verdict', () => {
    const results = resultsOf([...records.values()], 'builtin', false);
    const entry = results.cases.find((c) => c.id === 'attribution/step-names-rule');
    expect(entry?.rule).toEqual({ id: 'rfc862-tcp-echo-back', level: 'must', text: ECHO_BACK });
    expect(entry?.rules).toEqual(['rfc862-tcp-echo-back', 'rfc862-tcp-until-client-closes']);
    const byId = Object.fromEntries(results.rules.map((r) => [r.id, r]));
    expect(byId['rfc862-tcp-echo-back'].verdict).toBe('failed');
    expect(byId['rfc862-tcp-echo-back'].cases).toEqual(suite.cases.filter((c) => c.rules?.includes('rfc862-tcp-echo-back')).map((c) => `attribution/${c.id}`));
    // Cited only by a passing case: passed. Failures charged elsewhere do not make it fail.
    expect(byId['echo-tcp-byte-stream']).toMatchObject({ level: 'must', verdict: 'passed', cases: ['attribution/passes'] });
    const merged = mergeResults([{ ...results, cases: [], rules: results.rules.filter((r) => r.id !== 'echo-tcp-byte-stream') }, results]);
    expect(merged.rules.map((r) => [r.id, r.verdict])).toEqual(results.rules.map((r) => [r.id, r.verdict]));
  });

  test('a rule no case reached is not run, not passed', () => {
    const precondition = record('precondition-of-all');
    const results = resultsOf([precondition], 'builtin', false);
    expect(results.rules.map((r) => r.verdict)).toEqual(['not run', 'not run']);
  });

  test('the JUnit failure message starts with the rule', () => {
    const xml = junitXml({ records: [record('step-names-rule')], strict: false });
    expect(xml).toMatch(/<failure message="breaks rfc862-tcp-echo-back \[must\]: /);
  });
});

describe('attribute() follows the paths the case runner gives nested steps', () => {
  const c = (steps: unknown[]): Case => ({ id: 'c', title: 't', requirement: 'r', ref: 'x', rules: ['a', 'b'], steps: steps as Step[] });
  const check = { expect: { sent: true, rule: 'b' } };
  const plain = { expect: { sent: true } };

  test('in concurrently, each list adds its number: 2.1.1 comes before 2.2.1', () => {
    const steps = [{ connect: {} }, { concurrently: [[plain], [check]] }];
    expect(attribute(c(steps), '2.1.1')).toEqual({ as: 'precondition', rules: ['a'], notReached: ['b'] });
    expect(attribute(c(steps), '2.2.1')).toEqual({ as: 'step', rules: ['b'] });
  });

  test('a step holding the first check is not before it; a failure outside any step is the case\'s', () => {
    const steps = [{ connect: {} }, { repeat: { times: 2, steps: [plain, check] } }];
    expect(attribute(c(steps), '1')).toEqual({ as: 'precondition', rules: ['a'], notReached: ['b'] });
    expect(attribute(c(steps), '2')).toEqual({ as: 'case', rules: ['a', 'b'] });
    expect(attribute(c(steps), '2.1')).toEqual({ as: 'precondition', rules: ['a'], notReached: ['b'] });
    expect(attribute(c(steps), undefined)).toEqual({ as: 'case', rules: ['a', 'b'] });
  });

  test('a step that could not make its check (no evidence) has not reached the rule it names', () => {
    const steps = [{ connect: {} }, check];
    expect(attribute(c(steps), '2', true)).toEqual({ as: 'precondition', rules: ['a'], notReached: ['b'] });
    expect(attribute(c(steps), '2')).toEqual({ as: 'step', rules: ['b'] });
  });

  test('no step names a rule: every failure is the case\'s; a case citing none has no attribution', () => {
    expect(attribute(c([{ connect: {} }, plain]), '1')).toEqual({ as: 'case', rules: ['a', 'b'] });
    expect(attribute({ ...c([plain]), rules: undefined }, '1')).toBeUndefined();
  });
});

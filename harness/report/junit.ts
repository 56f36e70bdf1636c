import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import { isFlaky, type OutcomeRecord } from './outcome-record';
import { failsRun } from './verdict';
import { xmlText } from './xml-text';
import { testTitle } from '../suite/case-title';
import type { TimeScale } from '../vocabulary/time-scale';

/**
 * What jest saw go wrong that no case record tells: a suite file that did not run, or a test jest
 * failed itself (its own timeout, a server that did not start in beforeAll).
 */
export interface JestProblem {
  suite: string;
  /** The test's name as jest has it; absent when the suite file itself did not run. */
  test?: string;
  message: string;
}

export interface JunitInput {
  records: readonly OutcomeRecord[];
  jestProblems?: readonly JestProblem[];
  /** --strict: a failed `should` case fails the run, so it is a <failure>. */
  strict: boolean;
  /** The run was stopped before it ended: the report holds the cases that finished. */
  interrupted?: boolean;
  /** --time-scale and --no-timeouts, stated in every <testsuite>'s properties when the run used them. */
  timeScale?: TimeScale;
}

/** A testcase's verdict element, if it has one: a passed case has none. */
interface Verdict {
  element: 'failure' | 'error' | 'skipped';
  message: string;
  type?: string;
  text?: string;
}

interface Testcase {
  name: string;
  classname: string;
  seconds: number;
  verdict?: Verdict;
  flaky?: { message: string; stackTrace: string };
  out?: string;
  err?: string;
}

interface Testsuite {
  name: string;
  testcases: Testcase[];
  interrupted?: boolean;
}

/**
 * sockspec's JUnit file (the Surefire flavour Jenkins' junit-10.xsd describes, which GitLab, GitHub
 * actions and junitparser read): one <testsuite> per suite, one <testcase> per case record, the
 * verdict as the terminal and results.json give it. A failed case that does not fail the run
 * (`should` without --strict, `info`) has no <failure>, or CI would go red while sockspec exits 0;
 * its failure is in <system-out>. Counts are those of the elements written.
 */
export function junitXml(input: JunitInput): string {
  const suites = testsuitesOf(input);
  const all = suites.flatMap((s) => s.testcases);
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('testsuites', { name: 'sockspec', ...counts(all) });
  for (const suite of suites) {
    const element = root.ele('testsuite', attributes({ name: suite.name, ...counts(suite.testcases), skipped: count(suite.testcases, 'skipped') }));
    const properties = runProperties(input.timeScale, suite.interrupted);
    if (properties.length) {
      const list = element.ele('properties');
      for (const [name, value] of properties) list.ele('property', { name, value });
    }
    if (suite.interrupted) {
      element.ele('system-err').txt('interrupted: the run was stopped while this suite ran; cases that had not finished are not in this report');
    }
    for (const testcase of suite.testcases) addTestcase(element, testcase);
  }
  return root.end({ prettyPrint: true });
}

/** The run's settings a reader of one <testsuite> needs to weigh its verdicts. */
function runProperties(timeScale: TimeScale | undefined, interrupted: boolean | undefined): [string, string][] {
  const properties: [string, string][] = [];
  if (timeScale && timeScale.factor !== 1) properties.push(['time-scale', String(timeScale.factor)]);
  if (timeScale?.noTimeouts) properties.push(['no-timeouts', 'true']);
  if (interrupted) properties.push(['interrupted', 'true']);
  return properties;
}

export function writeJunit(file: string, input: JunitInput): void {
  writeFileSync(file, junitXml(input));
}

function testsuitesOf({ records, jestProblems = [], strict, interrupted }: JunitInput): Testsuite[] {
  const suites = new Map<string, Testsuite>();
  const add = (suite: string, testcase: Testcase) => {
    const entry = suites.get(suite) ?? { name: suite, testcases: [] };
    entry.testcases.push(testcase);
    suites.set(suite, entry);
  };
  for (const r of records) add(r.suite, testcaseOf(r, strict));
  for (const p of jestProblems) add(p.suite, problemTestcase(p));
  if (interrupted) {
    // The suite of the case that started last was running (records are grouped by suite, not by time).
    const last = [...records].sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0)).pop();
    const running = last ? (suites.get(last.suite) as Testsuite) : { name: 'sockspec', testcases: [] };
    suites.set(running.name, { ...running, interrupted: true });
  }
  return [...suites.values()];
}

function testcaseOf(r: OutcomeRecord, strict: boolean): Testcase {
  const out = [`ref: ${r.ref}`, ...r.notes.map((note) => `note: ${note}`)];
  if (r.runs !== undefined) out.push(`runs: passed ${r.passed} of ${r.runs}${isFlaky(r) ? ' (flaky)' : ''}`);
  const testcase: Testcase = { name: testTitle(r.caseId, r.title, r.level), classname: r.suite, seconds: r.durationMs / 1000 };
  if (r.verdict === 'skip') testcase.verdict = { element: 'skipped', message: r.reason ?? 'skipped' };
  if (r.verdict === 'fail') {
    const message = r.summary ?? firstLine(r.message ?? 'failed');
    const text = r.message ?? message;
    if (r.targetError) testcase.verdict = { element: 'error', message, type: 'sockspec.target', text };
    else if (r.suiteError) testcase.verdict = { element: 'error', message, type: 'sockspec.suite', text };
    else if (failsRun(r, strict)) testcase.verdict = { element: 'failure', message, type: `sockspec.${r.level}`, text };
    else out.push(`failed, tolerated (${r.level === 'info' ? 'info: a measurement, never fails the run' : 'should without strict'}): ${text}`);
  }
  if (r.flaky) testcase.flaky = { message: `failed ${r.flaky.attempts - 1} time(s) before passing`, stackTrace: r.flaky.firstFailure ?? '' };
  if (r.capture) out.push(...attachments(r.capture));
  testcase.out = out.join('\n');
  if (r.serverOutput) testcase.err = `server output while the case ran:\n${r.serverOutput.join('\n')}`;
  return testcase;
}

/**
 * A kept capture as CI systems read an attachment (Jenkins' JUnit attachments, GitLab): one
 * `[[ATTACHMENT|path]]` line per file, the path relative to where the run was started.
 */
function attachments(files: NonNullable<OutcomeRecord['capture']>): string[] {
  return [files.pcap, files.keys].flatMap((file) => (file ? [`[[ATTACHMENT|${path.relative(process.cwd(), file)}]]`] : []));
}

function problemTestcase(p: JestProblem): Testcase {
  const verdict: Verdict = { element: 'error', message: firstLine(p.message), type: p.test ? 'jest' : 'jest.suite-file', text: p.message };
  return { name: p.test ?? 'suite file did not run', classname: p.suite, seconds: 0, verdict };
}

function addTestcase(suite: XMLBuilder, t: Testcase): void {
  const element = suite.ele('testcase', attributes({ classname: t.classname, name: t.name, time: t.seconds.toFixed(3) }));
  if (t.verdict) {
    const { element: name, message, type, text } = t.verdict;
    const verdict = element.ele(name, attributes({ message, type }));
    if (text) verdict.txt(xmlText(text));
  }
  if (t.flaky) element.ele('flakyFailure', attributes({ message: t.flaky.message, type: 'sockspec.flaky' })).ele('stackTrace').txt(xmlText(t.flaky.stackTrace));
  if (t.out) element.ele('system-out').txt(xmlText(t.out));
  if (t.err) element.ele('system-err').txt(xmlText(t.err));
}

function counts(testcases: readonly Testcase[]): Record<'tests' | 'failures' | 'errors' | 'time', string> {
  const seconds = testcases.reduce((sum, t) => sum + t.seconds, 0);
  return { tests: String(testcases.length), failures: count(testcases, 'failure'), errors: count(testcases, 'error'), time: seconds.toFixed(3) };
}

function count(testcases: readonly Testcase[], element: Verdict['element']): string {
  return String(testcases.filter((t) => t.verdict?.element === element).length);
}

/** Attribute values made valid XML text; absent ones left out. */
function attributes(values: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).flatMap(([name, value]) => (value === undefined ? [] : [[name, xmlText(value)]])));
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0];
}

import { appendFileSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { CaseOutcome } from '../run/run-case';
import type { TranscriptEvent } from '../net/transcript';
import type { Case, Level, Suite } from '../suite/schema';
import { brokenRule, describeFailure, failureSummary, type RuleRef } from './describe';
import type { SuiteUsageError } from '../verdict/failure';
import { targetExitMessage, type TargetExit } from '../targets/target-exit';
import type { Measurement } from '../vocabulary/measurement';
import type { CaptureFiles } from '../capture/packet-capture';
import type { LanePacket } from '../capture/case-capture';

/** A case outcome as stored between the jest workers and the CLI: plain JSON, one line each. */
export interface OutcomeRecord {
  suite: string;
  caseId: string;
  title: string;
  level: Level;
  ref: string;
  verdict: 'pass' | 'fail' | 'skip';
  /** When the case started (Date.now()); absent for skipped cases. */
  startedAt?: number;
  durationMs: number;
  notes: string[];
  /** The full failure text, when the verdict is fail. */
  message?: string;
  /** Its one line: the rule broken, what the failing step expected and what came (the JUnit failure's message). */
  summary?: string;
  /** The ids of the rules the case cites (`rules:`). */
  rules?: string[];
  /** A failure charged to one rule: the failing step's `rule:`, or the case's only rule. */
  rule?: RuleRef;
  /**
   * The case failed setting up, before its first step that names a rule: the rules its steps name,
   * whose checks were not reached. The failure is charged to its other rules, if it has any.
   */
  precondition?: string[];
  /** Why the case was skipped, when it was. */
  reason?: string;
  /** The connections' events, for failed cases (for every case with --transcripts). */
  transcript?: RecordedEvent[];
  /** Set when the case checks a client: sockspec's side of the transcript is then the server. */
  peer?: 'client';
  /** For failed cases: what the server printed while the case ran (targets whose output sockspec keeps). */
  serverOutput?: string[];
  /** The case could not run: its server did not start (a namespaced one). The CLI exits 2 with it. */
  targetError?: { message: string; output: string[] };
  /** The suite asked for something impossible, found only while the case ran: a JUnit <error>, and the CLI exits 2. */
  suiteError?: { message: string };
  /** Set by collapseAttempts: the case failed, then passed when run again (--retries). */
  flaky?: { attempts: number; firstFailure?: string };
  /** The run's seed (absent for skipped cases): with it, `--seed` replays the case. */
  seed?: number;
  /** With --repeat N (N > 1): which of the N runs of the case this record is, from 1. */
  repetition?: number;
  /** Set by combineRepetitions, with --repeat N (N > 1): the case ran N times and passed `passed` of them. */
  runs?: number;
  passed?: number;
  /** What a capacity case measured (harness/vocabulary/measurement.ts), raw, for results.json and the report's charts. */
  measurements?: Measurement[];
  /** The case's packet capture (and TLS key log) the run kept (--capture): absolute paths. */
  capture?: CaptureFiles;
  /** For failed cases with a capture: the first packets of their connections (the report's packet lane). */
  packets?: LanePacket[];
}

/** A transcript event as JSON: the first bytes of data in hex. */
export interface RecordedEvent {
  at: number;
  conn: string;
  kind: TranscriptEvent['kind'];
  bytes?: number;
  segments?: number;
  headHex?: string;
  detail?: string;
}

/** `repeat`: how many times the run runs each case (--repeat); above 1 the record says which run it is. */
export function toRecord(outcome: CaseOutcome, withTranscript = outcome.verdict === 'fail', repeat = 1): OutcomeRecord {
  const record: OutcomeRecord = {
    suite: outcome.suite,
    caseId: outcome.caseId,
    title: outcome.title,
    level: outcome.level,
    ref: outcome.ref,
    verdict: outcome.verdict,
    startedAt: outcome.startedAt,
    durationMs: outcome.durationMs,
    notes: outcome.notes,
    measurements: outcome.measurements.length ? outcome.measurements : undefined,
    rules: outcome.rules.length ? outcome.rules : undefined,
    transcript: withTranscript ? outcome.transcript.events.map(recordedEvent) : undefined,
    peer: outcome.peer === 'client' ? 'client' : undefined,
    seed: outcome.seed.run,
    repetition: repeat > 1 ? outcome.seed.repetition : undefined,
    capture: outcome.capture,
    packets: outcome.packets,
  };
  if (outcome.suiteError) return { ...record, ...suiteErrorFields(outcome.suiteError) };
  return {
    ...record,
    message: outcome.failure ? failureText(outcome) : undefined,
    summary: failureSummary(outcome),
    rule: brokenRule(outcome.attribution),
    precondition: outcome.attribution?.notReached,
  };
}

/** A case stopped by a mistake in its suite: no rule is charged, the server did nothing wrong. */
function suiteErrorFields(error: SuiteUsageError): Pick<OutcomeRecord, 'verdict' | 'message' | 'summary' | 'suiteError'> {
  const where = error.step ? `step ${error.step.path} (${error.step.description})` : 'the case';
  const message = `a mistake in the suite, found at ${where}: ${error.message}`;
  return { verdict: 'fail', message, summary: message, suiteError: { message } };
}

/** A failed case's full text: what went wrong, then how to run the case again with the same random choices. */
function failureText(outcome: CaseOutcome): string {
  const { run, repetition } = outcome.seed;
  const which = repetition > 1 ? `, run ${repetition}` : '';
  const repeat = repetition > 1 ? ` --repeat ${repetition}` : '';
  const why = outcome.why ? `\nwhy, from the packet capture:\n${outcome.why.map((line) => `  ${line}`).join('\n')}` : '';
  // The path, not only in the reports: a project's own jest shows nothing but this message.
  const shown = (file: string) => path.relative(process.cwd(), file);
  const keys = outcome.capture?.keys ? `, TLS keys: ${shown(outcome.capture.keys)}` : '';
  const kept = outcome.capture ? `\npackets: ${shown(outcome.capture.pcap)}${keys}` : '';
  return `${describeFailure(outcome)}${why}${kept}\nseed ${run}${which}: sockspec run --seed ${run}${repeat} --filter '${outcome.suite} ${outcome.caseId}:' replays it`;
}

function recordedEvent(event: TranscriptEvent): RecordedEvent {
  const { head, ...rest } = event;
  return { ...rest, at: Math.round(event.at * 100) / 100, headHex: head?.toString('hex') };
}

export function skipRecord(suite: Suite, c: Case, reason: string): OutcomeRecord {
  return { ...caseFields(suite, c), verdict: 'skip', durationMs: 0, notes: [], reason };
}

/** A case that failed before its first step: the server it runs against did not start. */
export function unstartedRecord(suite: Suite, c: Case, failure: { message: string; output: string[] }): OutcomeRecord {
  const { message, output } = failure;
  return { ...caseFields(suite, c), verdict: 'fail', startedAt: Date.now(), durationMs: 0, notes: [], message: unstartedMessage(failure), targetError: { message, output } };
}

/** A case not run because its target had exited: it fails, with that one reason. */
export function deadTargetRecord(suite: Suite, c: Case, exit: TargetExit): OutcomeRecord {
  const message = targetExitMessage(exit);
  return { ...caseFields(suite, c), verdict: 'fail', startedAt: Date.now(), durationMs: 0, notes: [], message, summary: message };
}

/** The reason, and the server's last output lines. */
export function unstartedMessage({ message, output }: { message: string; output: string[] }): string {
  const lines = output.length ? `\n  its last output:\n${output.map((l) => `    | ${l}`).join('\n')}` : '';
  return `the server did not start: ${message}${lines}`;
}

function caseFields(suite: Suite, c: Case): Pick<OutcomeRecord, 'suite' | 'caseId' | 'title' | 'level' | 'ref' | 'rules'> {
  return { suite: suite.suite, caseId: c.id, title: c.title, level: c.level ?? 'must', ref: c.ref, rules: c.rules };
}

export function appendRecord(dir: string, record: OutcomeRecord): void {
  appendFileSync(path.join(dir, `${record.suite}.jsonl`), `${JSON.stringify(record)}\n`);
}

/**
 * One record per case. With --retries a case leaves one record per attempt; the last decides its
 * verdict, and a pass after a failure is marked flaky rather than passed silently. With --repeat
 * it leaves one per run, which combineRepetitions joins.
 */
export function collapseAttempts(records: readonly OutcomeRecord[]): OutcomeRecord[] {
  const byCase = new Map<string, OutcomeRecord[]>();
  for (const r of records) {
    const key = `${r.suite}/${r.caseId}`;
    byCase.set(key, [...(byCase.get(key) ?? []), r]);
  }
  return [...byCase.values()].map((attempts) => {
    if (attempts.some((a) => a.repetition !== undefined)) return combineRepetitions(attempts);
    const last = attempts[attempts.length - 1];
    const failure = attempts.find((a) => a.verdict === 'fail');
    if (last.verdict !== 'pass' || !failure) return last;
    return { ...last, flaky: { attempts: attempts.length, firstFailure: failure.message } };
  });
}

/**
 * The runs of one case under --repeat as one record: it fails if any run failed (a flaky case is
 * no pass), shows the first failed run (its message, transcript), and counts the runs that passed.
 * Its time is the runs' total, from the first run's start.
 */
export function combineRepetitions(runs: readonly OutcomeRecord[]): OutcomeRecord {
  const failed = runs.filter((r) => r.verdict === 'fail');
  const { repetition, ...shown } = failed[0] ?? runs[runs.length - 1];
  const passed = runs.length - failed.length;
  const rate = `failed ${failed.length} of ${runs.length} runs${passed > 0 && failed.length > 0 ? ' (flaky)' : ''}`;
  return {
    ...shown,
    startedAt: runs[0].startedAt,
    durationMs: runs.reduce((total, r) => total + r.durationMs, 0),
    notes: combinedNotes(runs),
    summary: shown.summary === undefined ? undefined : `${rate}; run ${repetition}: ${shown.summary}`,
    message: shown.message === undefined ? undefined : `${rate}; the first failed run (run ${repetition}):\n${shown.message}`,
    runs: runs.length,
    passed,
  };
}

/** The notes of every run: once when all runs noted the same, otherwise each run's, marked with it. */
function combinedNotes(runs: readonly OutcomeRecord[]): string[] {
  const same = runs.every((r) => JSON.stringify(r.notes) === JSON.stringify(runs[0].notes));
  return same ? runs[0].notes : runs.flatMap((r) => r.notes.map((note) => `run ${r.repetition}: ${note}`));
}

/** A case whose runs under --repeat neither all passed nor all failed. */
export function isFlaky(record: Pick<OutcomeRecord, 'runs' | 'passed'>): boolean {
  return record.runs !== undefined && record.passed !== undefined && record.passed > 0 && record.passed < record.runs;
}

export function readRecords(dir: string): OutcomeRecord[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .sort()
    .flatMap((name) =>
      readFileSync(path.join(dir, name), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as OutcomeRecord),
    );
}

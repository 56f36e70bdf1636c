import { describeFailure } from '../../harness/report/describe';
import path from 'node:path';
import { loadSuite } from '../../harness/suite/load';
import type { Suite } from '../../harness/suite/schema';
import { runCase, type CaseOutcome } from '../../harness/run/run-case';
import type { CaseSeed } from '../../harness/run/seed';
import type { RunningServer } from '../../harness/servers/running-server';
import { REFERENCE_SERVERS } from '../../harness/servers/catalog';
import { SharedGate } from './shared-gate';
import type { MayFail } from '../../fixtures/mutants/mutant';

export const SUITES_DIR = path.join(__dirname, '..', '..', 'suites');

export function bundledSuite(name: string): Suite {
  return loadSuite(path.join(SUITES_DIR, `${name}.suite.yaml`));
}

const gate = new SharedGate();

/**
 * Runs every case of a suite, each against a fresh server from `start`, so one case's damage
 * (a crashed or leaking server) cannot change another case's verdict. Cases run with the fixed run
 * seed unless `seed` is given, and with the suite's own step timeout unless `stepTimeout` is: the
 * verdicts are the ones a user gets, and a shorter one made timing cases (latency-member-order,
 * pong-after-fan-out, sliced-lines) fail correct behaviour when many mutants ran at once.
 */
export async function runEachCaseFresh(suite: Suite, start: () => Promise<RunningServer>, stepTimeout?: number, seed?: CaseSeed): Promise<CaseOutcome[]> {
  const outcomes: CaseOutcome[] = [];
  for (const c of suite.cases) {
    // The mutant tests run several mutants at once in one process: a case that declares `alone`
    // (it loads the machine and holds the server to a time) runs with no other case beside it.
    const release = await gate.enter(c.alone !== undefined);
    const server = await start();
    try {
      // Mutants declare what the reference server declares (ALPN list, SNI name, idle timeout).
      const { tls, idleTimeoutMs } = REFERENCE_SERVERS[suite.service];
      const endpoint = { host: server.host, port: server.port, transport: server.transport, tls, idleTimeoutMs };
      outcomes.push(await runCase(suite, c, { [suite.service]: endpoint }, { stepTimeout, seed }));
    } finally {
      await server.close();
      release();
    }
  }
  return outcomes;
}

/** The failures, message and all, of cases not among `kills`. */
export function unexpectedFailures(outcomes: readonly CaseOutcome[], kills: readonly string[]): string[] {
  return outcomes.filter((o) => o.verdict === 'fail' && !kills.includes(o.caseId)).map(describeFailure);
}

/** The outcomes a mutant proof judges: all but those of the cases the mutant may fail (MayFail). */
export function withoutMayFail(outcomes: readonly CaseOutcome[], mayFail: MayFail | undefined): CaseOutcome[] {
  return outcomes.filter((o) => !mayFail?.cases.includes(o.caseId));
}

export function failedIds(outcomes: readonly CaseOutcome[]): string[] {
  return outcomes.filter((o) => o.verdict === 'fail').map((o) => o.caseId).sort();
}

/**
 * The failures of a mutant's cases charged elsewhere than to the rules its bug breaks: to a rule a
 * step names (`rule:`) that it does not break, or to a failed precondition whose set-up checks
 * none of them. What a case cites is test/coverage.test.ts's business, so a failure charged to
 * the case's rules is not judged here.
 */
export function misattributed(outcomes: readonly CaseOutcome[], breaks: readonly string[]): string[] {
  return outcomes.flatMap((o) => {
    const a = o.attribution;
    if (!a) return [];
    const wrong = a.as === 'step' ? !breaks.includes(a.rules[0]) : a.as === 'precondition' && !a.rules.some((id) => breaks.includes(id));
    return wrong ? [`${o.caseId}: ${a.as} charged to [${a.rules.join(', ')}] at step ${o.failure?.step?.path}: ${o.failure?.summary}`] : [];
  });
}

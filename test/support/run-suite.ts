import path from 'node:path';
import { loadSuite } from '../../harness/suite/load';
import type { Suite } from '../../harness/suite/schema';
import { runCase, type CaseOutcome } from '../../harness/run/run-case';
import type { CaseSeed } from '../../harness/run/seed';
import type { RunningServer } from '../../harness/servers/running-server';
import { REFERENCE_SERVERS } from '../../harness/servers/catalog';
import { SharedGate } from './shared-gate';

export const SUITES_DIR = path.join(__dirname, '..', '..', 'suites');

export function bundledSuite(name: string): Suite {
  return loadSuite(path.join(SUITES_DIR, `${name}.suite.yaml`));
}

/**
 * The mutant tests run several mutants at once in one process. These cases load the machine and
 * hold the server to a time while doing so (100 connects at once, a 12 MiB flood with at most 1 s
 * between lines, 50 slow clients and a fresh one served within 500 ms): run beside other cases
 * they measure each other, and a mutant fails one it should pass (seen: connect-burst,
 * slow-consumer). Each runs alone; all other cases share the machine.
 */
const RUNS_ALONE = new Set([
  'echo-tcp/concurrent-clients',
  'echo-tcp/connect-burst',
  'chat/fan-out-200',
  'chat/slow-consumer',
  'timeouts/slow-clients',
]);
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
    const release = await gate.enter(RUNS_ALONE.has(`${suite.suite}/${c.id}`));
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

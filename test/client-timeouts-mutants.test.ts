import { existsSync } from 'node:fs';
import path from 'node:path';
import { runCase, type CaseOutcome } from '../harness/run/run-case';
import { synDropSkip } from '../harness/run/network-needs';
import { describeFailure } from '../harness/report/describe';
import { clientTimeoutMs } from '../harness/targets/client-command';
import { ROOT } from './support/cli';
import { bundledSuite, failedIds, misattributed } from './support/run-suite';

/** fixtures/clients/timing/index.ts as this test reads it: the reference client, the mutants' table and the timeout they run with. */
interface ClientTable {
  REFERENCE_CLIENT: string;
  PROOF_TIMEOUT: string;
  MUTANT_CLIENTS: Record<string, { bug: string; breaks: string[]; command: string; kills: string[] }>;
}

/** Read by its path, as test/client-mutants.test.ts reads the echo clients' table. */
const TABLE_FILE = path.join(ROOT, 'fixtures', 'clients', 'timing', 'index.ts');
const table = existsSync(TABLE_FILE) ? (require(TABLE_FILE) as ClientTable) : undefined;

const suite = bundledSuite('client-timeouts');
/**
 * syn-dropped needs root and nftables: skipped where they are missing on a developer's machine
 * (with the reason), required in CI (CI=true), where .ci/run runs as root with nftables.
 */
const synDropMissing = suite.cases.map(synDropSkip).find((why) => why !== undefined);
const runnable = suite.cases.filter((c) => synDropSkip(c) === undefined);

/** A client's run of the suite: three cases of about T + 1.5 s each, with other clients at once on a shared 2-core machine. */
const CLIENT_RUN_BUDGET_MS = 90_000;

async function runSuite(command: string, timeout: string): Promise<CaseOutcome[]> {
  const timeoutMs = clientTimeoutMs(timeout) as number;
  const outcomes: CaseOutcome[] = [];
  for (const c of runnable) outcomes.push(await runCase(suite, c, {}, { client: { command, timeoutMs } }));
  return outcomes;
}

const runnableIds = (ids: readonly string[]): string[] => ids.filter((id) => runnable.some((c) => c.id === id)).sort();

(table ? describe : describe.skip)('client-timeouts suite against the reference and mutant clients', () => {
  const { REFERENCE_CLIENT, PROOF_TIMEOUT, MUTANT_CLIENTS } = table as ClientTable;

  if (synDropMissing && process.env.CI === 'true') {
    test('can drop SYNs in a network namespace', () => {
      throw new Error(`syn-dropped ${synDropMissing}: required in CI`);
    });
  } else if (synDropMissing) {
    test.skip(`syn-dropped [skipped: ${synDropMissing}]`, () => undefined);
  }

  test('the reference client passes every case', async () => {
    const failures = (await runSuite(REFERENCE_CLIENT, PROOF_TIMEOUT)).filter((o) => o.verdict === 'fail').map(describeFailure);
    expect(failures).toEqual([]);
  }, CLIENT_RUN_BUDGET_MS);

  test('the reference client passes with a timeout under a second too: {timeout} 0.5', async () => {
    const failures = (await runSuite(REFERENCE_CLIENT, '500ms')).filter((o) => o.verdict === 'fail').map(describeFailure);
    expect(failures).toEqual([]);
  }, CLIENT_RUN_BUDGET_MS);

  test.concurrent.each(Object.entries(MUTANT_CLIENTS))('mutant client %s fails exactly its cases, each at a check of a rule it breaks', async (_name, mutant) => {
    const outcomes = await runSuite(mutant.command, PROOF_TIMEOUT);
    expect(failedIds(outcomes)).toEqual(runnableIds(mutant.kills));
    expect(misattributed(outcomes, mutant.breaks)).toEqual([]);
  }, CLIENT_RUN_BUDGET_MS);

  test('every case is killed by a mutant client', () => {
    const killed = new Set(Object.values(MUTANT_CLIENTS).flatMap((m) => m.kills));
    expect(suite.cases.filter((c) => !killed.has(c.id)).map((c) => c.id)).toEqual([]);
    expect([...killed].filter((id) => !suite.cases.some((c) => c.id === id))).toEqual([]);
  });

  test('every rule the cases cite is broken by a mutant that kills a case citing it', () => {
    const cited = [...new Set(suite.cases.flatMap((c) => c.rules ?? []))];
    const proven = (rule: string) =>
      Object.values(MUTANT_CLIENTS).some((m) => m.breaks.includes(rule) && m.kills.some((id) => suite.cases.find((c) => c.id === id)?.rules?.includes(rule)));
    expect(cited.filter((rule) => !proven(rule))).toEqual([]);
  });
});

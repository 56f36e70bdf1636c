import { CAPACITY_CHAT_MUTANTS, DECLARED } from '../fixtures/mutants/capacity';
import { REFERENCE_SERVERS } from '../harness/servers/catalog';
import { runCase, type CaseOutcome } from '../harness/run/run-case';
import type { RunningServer } from '../harness/servers/running-server';
import { describeFailure } from '../harness/report/describe';
import { bundledSuite, failedIds, misattributed } from './support/run-suite';

const suite = bundledSuite('capacity-chat');
/** The cases that check a declaration; the info cases measure, and no server fails them. */
const mustCases = suite.cases.filter((c) => (c.level ?? 'must') === 'must');

/** The must cases, one after another, each against a fresh chat server from `start` that declares DECLARED. */
async function runMustCases(start: () => Promise<RunningServer>): Promise<CaseOutcome[]> {
  const outcomes: CaseOutcome[] = [];
  for (const c of mustCases) {
    const server = await start();
    try {
      outcomes.push(await runCase(suite, c, { chat: { host: server.host, port: server.port, transport: 'tcp', capacity: DECLARED } }));
    } finally {
      await server.close();
    }
  }
  return outcomes;
}

describe('capacity-chat suite', () => {
  test('the reference chat server passes every must case, declaring what it carries here with room to spare', async () => {
    const failures = (await runMustCases(() => REFERENCE_SERVERS.chat.start({}))).filter((o) => o.verdict !== 'pass').map(describeFailure);
    expect(failures).toEqual([]);
  }, 120_000);

  test.each(Object.entries(CAPACITY_CHAT_MUTANTS))('mutant %s fails exactly its cases, each at the check of a rule it breaks', async (_name, mutant) => {
    const outcomes = await runMustCases(() => mutant.start({}));
    expect(failedIds(outcomes)).toEqual([...mutant.kills].sort());
    expect(misattributed(outcomes, mutant.breaks)).toEqual([]);
  }, 120_000);

  test('every must case is killed by a mutant', () => {
    const killed = new Set(Object.values(CAPACITY_CHAT_MUTANTS).flatMap((m) => m.kills));
    expect(mustCases.map((c) => c.id).filter((id) => !killed.has(id))).toEqual([]);
  });
});

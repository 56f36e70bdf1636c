import { CAPACITY_MUTANTS, DECLARED } from '../fixtures/mutants/capacity';
import { REFERENCE_SERVERS } from '../harness/servers/catalog';
import { runCase, type CaseOutcome } from '../harness/run/run-case';
import type { RunningServer } from '../harness/servers/running-server';
import { describeFailure } from '../harness/report/describe';
import { bundledSuite, failedIds, misattributed } from './support/run-suite';

const suite = bundledSuite('capacity');
/** The cases that check a declaration; the info cases measure, and no server fails them. */
const mustCases = suite.cases.filter((c) => (c.level ?? 'must') === 'must');

/**
 * The must cases, one after another (never two loads at once), each against a fresh server from
 * `start` that declares DECLARED (and the reference's idle timeout). Against the reference echo that is 5,000 connections held, as many
 * server sockets in this process as the ramp's drivers hold client ones.
 */
async function runMustCases(start: () => Promise<RunningServer>): Promise<CaseOutcome[]> {
  const outcomes: CaseOutcome[] = [];
  for (const c of mustCases) {
    const server = await start();
    try {
      // As every mutant test does, the reference's declarations: its idle timeout, which the ramp keeps its connections within.
      const { idleTimeoutMs } = REFERENCE_SERVERS['echo-tcp'];
      outcomes.push(await runCase(suite, c, { 'echo-tcp': { host: server.host, port: server.port, transport: 'tcp', idleTimeoutMs, capacity: DECLARED } }));
    } finally {
      await server.close();
    }
  }
  return outcomes;
}

describe('capacity suite', () => {
  test('the reference echo passes every must case, declaring what it carries here with room to spare', async () => {
    const failures = (await runMustCases(() => REFERENCE_SERVERS['echo-tcp'].start({}))).filter((o) => o.verdict !== 'pass').map(describeFailure);
    expect(failures).toEqual([]);
  }, 180_000);

  // One at a time: each loads the machine.
  test.each(Object.entries(CAPACITY_MUTANTS))('mutant %s fails exactly its cases, each at the check of a rule it breaks', async (_name, mutant) => {
    const outcomes = await runMustCases(() => mutant.start({}));
    expect(failedIds(outcomes)).toEqual([...mutant.kills].sort());
    expect(misattributed(outcomes, mutant.breaks)).toEqual([]);
  }, 180_000);

  test('every must case is killed by a mutant', () => {
    const killed = new Set(Object.values(CAPACITY_MUTANTS).flatMap((m) => m.kills));
    expect(mustCases.map((c) => c.id).filter((id) => !killed.has(id))).toEqual([]);
  });
});

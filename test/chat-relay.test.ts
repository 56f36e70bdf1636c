import { MUTANTS } from '../fixtures/mutants/chat';
import { startChat } from '../harness/servers/chat';
import { describeFailure } from '../harness/verdict/describe';
import { bundledSuite, failedIds, runEachCaseFresh } from './support/run-suite';

/**
 * The chat-relay suite's cases can fail, shown with the chat mutants under the default profile
 * (the sockspec protocol). It is not in the mutant zoo, because its cases are written for relays
 * that frame by read, like ncat: a case may not pin a sender's writes into one read, so
 * partial-lines fails relay-order only when the server happens to read two lines at once. Each
 * assertion below is one that holds on every run.
 */
const suite = bundledSuite('chat-relay');
const run = (start: () => ReturnType<typeof startChat>) => runEachCaseFresh(suite, start);

describe('chat-relay suite with the sockspec-chat profile', () => {
  test('the reference server passes every case', async () => {
    const outcomes = await run(() => startChat());
    expect(outcomes.filter((o) => o.verdict === 'fail').map(describeFailure)).toEqual([]);
  }, 60_000);

  test.concurrent.each([
    ['echo-to-sender', ['relay-fan-out']],
    ['reorder-under-load', ['relay-order']],
    ['partial-lines', ['relay-split-line', 'relay-lines-in-one-write']],
  ])('%s fails at least %j', async (name, cases) => {
    expect(failedIds(await run(() => MUTANTS[name].start()))).toEqual(expect.arrayContaining(cases));
  }, 60_000);

  test.concurrent.each([
    ['no-leave-on-fin', ['relay-leave-on-fin']],
    ['no-leave-on-reset', ['relay-leave-on-reset']],
    ['duplicate-names', []],
  ])('%s fails exactly %j', async (name, cases) => {
    expect(failedIds(await run(() => MUTANTS[name].start()))).toEqual(cases);
  }, 60_000);
});

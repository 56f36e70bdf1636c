import { MUTANTS } from '../fixtures/mutants/chat';
import { startChat } from '../harness/servers/chat';
import { describeFailure } from '../harness/report/describe';
import { bundledSuite, failedIds, runEachCaseFresh } from './support/run-suite';

/**
 * The chat-relay suite's cases can fail, shown with the chat mutants under the default profile
 * (the sockspec protocol). It is not in the mutant zoo, because its cases are written for relays
 * that frame by read, like ncat: relay-order writes one line per write, and nothing can pin two
 * writes into separate reads, so partial-lines (which frames by read) fails relay-order only when
 * the server happens to read two of a sender's lines at once. Its table alone leaves that case open;
 * every other table is exact and holds on every run.
 */
const suite = bundledSuite('chat-relay');
const run = (start: () => ReturnType<typeof startChat>) => runEachCaseFresh(suite, start);

describe('chat-relay suite with the sockspec-chat profile', () => {
  test('the reference server passes every case', async () => {
    const outcomes = await run(() => startChat());
    expect(outcomes.filter((o) => o.verdict === 'fail').map(describeFailure)).toEqual([]);
  }, 60_000);

  test('partial-lines fails exactly relay-split-line and relay-lines-in-one-write, and relay-order when it reads two lines at once', async () => {
    const failed = failedIds(await run(() => MUTANTS['partial-lines'].start()));
    expect(failed.filter((id) => id !== 'relay-order')).toEqual(['relay-lines-in-one-write', 'relay-split-line']);
  }, 60_000);

  test.concurrent.each([
    ['echo-to-sender', ['relay-fan-out']],
    // relay-lines-in-one-write takes its two lines in either order, so only relay-order sees the reordering.
    ['reorder-under-load', ['relay-order']],
    ['no-leave-on-fin', ['relay-leave-on-fin']],
    ['no-leave-on-reset', ['relay-leave-on-reset']],
    ['duplicate-names', []],
  ])('%s fails exactly %j', async (name, cases) => {
    expect(failedIds(await run(() => MUTANTS[name].start()))).toEqual(cases);
  }, 60_000);
});

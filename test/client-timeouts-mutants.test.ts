import { synDropSkip } from '../harness/run/network-needs';
import { runCase } from '../harness/run/run-case';
import { describeFailure } from '../harness/report/describe';
import { CLIENT_SUITES } from '../fixtures/clients';
import { proveClientSuite } from './support/client-mutant-proof';
import { bundledSuite } from './support/run-suite';

/** syn-dropped needs root and nftables: skipped where they are missing, required in CI. */
describe('client-timeouts suite against its reference and mutant clients', () => {
  proveClientSuite('client-timeouts', 90_000);
});

test('the reference client passes with a timeout under a second too: {timeout} 0.5', async () => {
  const suite = bundledSuite('client-timeouts');
  const client = { command: CLIENT_SUITES['client-timeouts'].reference, timeoutMs: 500 };
  const outcomes = await Promise.all(suite.cases.filter((c) => synDropSkip(c) === undefined).map((c) => runCase(suite, c, {}, { client })));
  expect(outcomes.filter((o) => o.verdict === 'fail').map(describeFailure)).toEqual([]);
}, 60_000);

import path from 'node:path';
import { synDropSkip } from '../harness/run/network-needs';
import { runCase } from '../harness/run/run-case';
import { describeFailure } from '../harness/report/describe';
import { clientTimeoutMs } from '../harness/targets/client-command';
import { ROOT } from './support/cli';
import { describeClientProof, type ClientProofTable } from './support/client-proof';
import { bundledSuite } from './support/run-suite';

/** fixtures/clients/timing/index.ts, read by its path as test/client-mutants.test.ts reads the echo clients' table. */
const table = require(path.join(ROOT, 'fixtures', 'clients', 'timing', 'index.ts')) as ClientProofTable & { PROOF_TIMEOUT: string };

/** syn-dropped needs root and nftables: skipped where they are missing, required in CI. */
describeClientProof('client-timeouts', table, { client: { timeoutMs: clientTimeoutMs(table.PROOF_TIMEOUT) as number }, skip: synDropSkip, budgetMs: 90_000 });

test('the reference client passes with a timeout under a second too: {timeout} 0.5', async () => {
  const suite = bundledSuite('client-timeouts');
  const client = { command: table.REFERENCE_CLIENT, timeoutMs: 500 };
  const outcomes = await Promise.all(suite.cases.filter((c) => synDropSkip(c) === undefined).map((c) => runCase(suite, c, {}, { client })));
  expect(outcomes.filter((o) => o.verdict === 'fail').map(describeFailure)).toEqual([]);
}, 60_000);

import path from 'node:path';
import { attemptCaptureSkip } from '../harness/run/network-needs';
import { ROOT } from './support/cli';
import { describeClientProof, type ClientProofTable } from './support/client-proof';

/** fixtures/clients/backoff/index.ts, read by its path as test/client-mutants.test.ts reads the echo clients' table. */
const table = require(path.join(ROOT, 'fixtures', 'clients', 'backoff', 'index.ts')) as ClientProofTable;

/** Every case records attempts with tcpdump (root): skipped where it cannot, required in CI. */
describeClientProof('client-backoff', table, { skip: attemptCaptureSkip, budgetMs: 90_000 });

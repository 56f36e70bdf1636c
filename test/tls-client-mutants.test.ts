import { proveClientSuite } from './support/client-mutant-proof';

/**
 * A client's run of the whole tls-client suite: ten handshakes, a refusal takes milliseconds; the
 * budget is for several mutants at once on a shared 2-core machine.
 */
const CLIENT_RUN_BUDGET_MS = 120_000;

describe('tls-client suite against its reference and mutant clients', () => {
  proveClientSuite('tls-client', CLIENT_RUN_BUDGET_MS);
});

import { proveClientSuite } from './support/client-mutant-proof';

/** A client's run of the whole echo-client suite; several run at once on a shared 2-core machine, and long-pause alone waits 6 s. */
const CLIENT_RUN_BUDGET_MS = 180_000;

describe('echo-client suite against its reference and mutant clients', () => {
  proveClientSuite('echo-client', CLIENT_RUN_BUDGET_MS);
});

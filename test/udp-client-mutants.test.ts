import { proveClientSuite } from './support/client-mutant-proof';

/**
 * A client's run of the whole udp-client suite: gives-up alone takes 15 s of the client's waits,
 * and several clients run at once on a shared 2-core machine.
 */
const CLIENT_RUN_BUDGET_MS = 120_000;

describe('udp-client suite against the reference and mutant clients', () => {
  proveClientSuite('udp-client', CLIENT_RUN_BUDGET_MS);
});

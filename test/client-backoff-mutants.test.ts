import { proveClientSuite } from './support/client-mutant-proof';

/** Every case records attempts with tcpdump (root): skipped where it cannot, required in CI. */
describe('client-backoff suite against its reference and mutant clients', () => {
  proveClientSuite('client-backoff', 90_000);
});

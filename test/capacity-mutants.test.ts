import { CAPACITY_MUTANTS } from '../fixtures/mutants/capacity';
import { REFERENCE_SERVERS } from '../harness/servers/catalog';
import { proveCapacitySuite } from './support/capacity-proof';

// Against the reference echo that is 5,000 connections held: as many server sockets in this
// process as the ramp's drivers hold client ones. As every mutant test does, the cases are told
// the reference's idle timeout, which the ramp keeps its connections within.
proveCapacitySuite({
  suite: 'capacity',
  service: 'echo-tcp',
  declares: { idleTimeoutMs: REFERENCE_SERVERS['echo-tcp'].idleTimeoutMs },
  reference: () => REFERENCE_SERVERS['echo-tcp'].start({}),
  mutants: CAPACITY_MUTANTS,
  timeoutMs: 180_000,
});

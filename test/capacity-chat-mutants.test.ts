import { CAPACITY_CHAT_MUTANTS } from '../fixtures/mutants/capacity';
import { REFERENCE_SERVERS } from '../harness/servers/catalog';
import { proveCapacitySuite } from './support/capacity-proof';

proveCapacitySuite({
  suite: 'capacity-chat',
  service: 'chat',
  reference: () => REFERENCE_SERVERS.chat.start({}),
  mutants: CAPACITY_CHAT_MUTANTS,
  timeoutMs: 120_000,
});

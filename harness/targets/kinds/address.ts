import { Type } from '@sinclair/typebox';
import { AddressTarget } from '../address';
import { defineTargetKind } from '../define';

export const address = defineTargetKind({
  name: 'address',
  summary: 'a server someone else runs, at a fixed address: sockspec only connects to it',
  schema: Type.Object({ address: Type.String({ description: 'tcp://HOST:PORT or udp://HOST:PORT (IPv6 hosts in brackets)' }) }, { additionalProperties: false }),
  help: `  --target tcp://HOST:PORT, --target udp://HOST:PORT
                       a server already running; cases that restart it are skipped`,
  create: (spec) => AddressTarget.parse(spec.address),
  startBudgetMs: () => 0,
});

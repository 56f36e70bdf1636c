import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REAL_UDP_CLIENTS, type RealUdpClient } from '../fixtures/clients/udp/real-clients';
import { PYTHON } from '../fixtures/mutants/python';
import { ROOT } from './support/cli';
import { bundledSuite, failedIds } from './support/run-suite';
import { runClientSuite } from './support/client-mutant-proof';
import { describeWithPrograms } from './support/tools';

/**
 * Common programs run as UDP echo clients against the udp-client suite: each fails exactly the
 * cases fixtures/clients/udp/real-clients.ts lists (those a race decides aside), and
 * docs/client-contract.md §5.7 shows the same.
 */

/** A client's run of the whole suite (gives-up alone is 15 s for a client that follows it), several at once. */
const CLIENT_RUN_BUDGET_MS = 120_000;

/** Run from the project's root, as the table's commands are written, with the interpreter python3 resolves to. */
function command(client: RealUdpClient): string {
  return client.command.replace(/^python3 -S (\S+)/, (_, file: string) => `${PYTHON} ${path.join(ROOT, file)}`);
}

for (const [name, client] of Object.entries(REAL_UDP_CLIENTS)) {
  describeWithPrograms(client.programs, name, () => {
    const fails = Object.keys(client.fails);
    test(`${name} fails ${fails.length ? fails.join(', ') : 'no case'}`, async () => {
      const racy = Object.keys(client.racy ?? {});
      const failed = failedIds(await runClientSuite('udp-client', command(client))).filter((id) => !racy.includes(id));
      expect(failed).toEqual([...fails].sort());
    }, CLIENT_RUN_BUDGET_MS);
  });
}

test('every case a real client fails or races on is a case of the suite', () => {
  const ids = bundledSuite('udp-client').cases.map((c) => c.id);
  const named = Object.values(REAL_UDP_CLIENTS).flatMap((client) => [...Object.keys(client.fails), ...Object.keys(client.racy ?? {})]);
  expect(named.filter((id) => !ids.includes(id))).toEqual([]);
});

/** docs/client-contract.md §5.7: each client's command, then the cases it fails and why. */
function realClientsSection(): string {
  return Object.entries(REAL_UDP_CLIENTS)
    .map(([name, client]) => {
      const fails = Object.entries(client.fails).map(([id, why]) => `  - fails \`${id}\`: ${why}.`);
      const racy = Object.entries(client.racy ?? {}).map(([id, why]) => `  - \`${id}\` is a race (not asserted): ${why}.`);
      return [`- **${name}**, \`${client.command}\`: ${fails.length ? `fails ${fails.length} of the cases` : 'passes every case'}.`, ...fails, ...racy].join('\n');
    })
    .join('\n');
}

test('docs/client-contract.md shows every real client and the cases it fails', () => {
  const doc = readFileSync(path.join(ROOT, 'docs', 'client-contract.md'), 'utf8');
  expect(doc).toContain(realClientsSection());
});

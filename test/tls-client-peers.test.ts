import { spawnSync } from 'node:child_process';
import { runCase } from '../harness/run/run-case';
import { REAL_TLS_CLIENTS } from '../fixtures/clients/tls/real-clients';
import { bundledSuite, failedIds } from './support/run-suite';
import { clientContract } from './support/verdict-table';

/** One run of the suite per client: ten handshakes, a few seconds; the budget is for a loaded 2-core machine. */
const CLIENT_RUN_BUDGET_MS = 120_000;

const installed = (program: string): boolean => spawnSync('sh', ['-c', `command -v ${program}`]).status === 0;

/** Real TLS clients get the verdicts fixtures/clients/tls/real-clients.ts states, for the reasons it gives. */
describe('real TLS clients against the tls-client suite', () => {
  const suite = bundledSuite('tls-client');

  test.concurrent.each(Object.entries(REAL_TLS_CLIENTS))('%s', async (_name, client) => {
    if (!installed(client.program)) return; // CI installs them (.ci/run); a developer machine may lack one
    const outcomes = [];
    for (const c of suite.cases) outcomes.push(await runCase(suite, c, {}, { client: { command: client.command } }));
    expect(failedIds(outcomes)).toEqual(Object.keys(client.fails).sort());
  }, CLIENT_RUN_BUDGET_MS);
});

test('docs/client-contract.md §4.8 has a row for every real TLS client, under the name the verdicts use', () => {
  const doc = clientContract();
  const start = doc.indexOf('### 4.8. Real clients');
  // Up to the next section: the UDP, timeout and retry sections have real-client tables too.
  const section = doc.slice(start, doc.indexOf('\n## ', start));
  const rows = section.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| Client') && !line.startsWith('| ---')).map((line) => line.split('|')[1].trim());
  expect(rows.map((name) => name.toLowerCase()).sort()).toEqual(Object.keys(REAL_TLS_CLIENTS).map((name) => name.toLowerCase()).sort());
});

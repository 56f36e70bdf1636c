import { ZOO } from '../fixtures/mutants/zoo';
import type { Mutant } from '../fixtures/mutants/mutant';
import { REFERENCE_SERVERS } from '../harness/servers/catalog';
import type { RunningServer } from '../harness/servers/running-server';
import { runCase } from '../harness/run/run-case';
import type { Case, Suite } from '../harness/suite/schema';
import { bundledSuite } from './support/run-suite';

/**
 * Isolation: a case's verdict does not depend on the cases before it. The CLI runs a suite's
 * cases one after another against one server, so each suite whose cases share a server is run
 * here that way, in its written order and reversed, against the reference server and two mutants
 * (bugs of one connection, not of the whole server: a mutant that crashes or leaks on purpose
 * fails every later case, whatever the cases do), and must give each case the same verdict.
 */
const TWO_MUTANTS: Record<string, [string, string]> = {
  'echo-tcp': ['sends-banner', 'drops-after-1024'],
  'echo-udp': ['coalesces-datagrams', 'replies-to-last-sender'],
  // echo-to-sender fails line-too-long while the server still writes to a (its ERROR line-too-long):
  // unless a case's end waits for the server to close its side, the server notices a's end only
  // after quit, the next case in the written order, has sent NICK a, and quit fails on "name-taken".
  // A name a case leaves taken would fail a later case against duplicate-names.
  // no-leave-on-fin keeps members who left: a bug of the whole server, as above.
  chat: ['echo-to-sender', 'duplicate-names'],
  tls: ['tls12-only', 'no-close-notify'],
};

/** Every case in the given order against one server from `start`, as the CLI runs a suite file. */
async function verdicts(suite: Suite, cases: readonly Case[], start: () => Promise<RunningServer>): Promise<Record<string, string>> {
  const server = await start();
  const { tls, idleTimeoutMs } = REFERENCE_SERVERS[suite.service];
  const endpoint = { host: server.host, port: server.port, transport: server.transport, tls, idleTimeoutMs };
  const verdicts: Record<string, string> = {};
  try {
    for (const c of cases) verdicts[c.id] = (await runCase(suite, c, { [suite.service]: endpoint }, { stepTimeout: 1000 })).verdict;
  } finally {
    await server.close();
  }
  return verdicts;
}

describe.each(Object.keys(TWO_MUTANTS))('%s suite, one server for all its cases', (suiteName) => {
  const suite = bundledSuite(suiteName);
  const targets: [string, () => Promise<RunningServer>, string[]][] = [
    ['the reference server', () => REFERENCE_SERVERS[suite.service].start({}), []],
    ...TWO_MUTANTS[suiteName].map((name): [string, () => Promise<RunningServer>, string[]] => {
      const mutant: Mutant | undefined = ZOO[suiteName][name];
      if (!mutant) throw new Error(`no mutant ${name} in the ${suiteName} zoo`);
      return [`mutant ${name}`, () => mutant.start({}), mutant.kills];
    }),
  ];

  test.each(targets)('%s gives every case the same verdict in the written order and reversed', async (_name, start, kills) => {
    const forward = await verdicts(suite, suite.cases, start);
    const reversed = await verdicts(suite, [...suite.cases].reverse(), start);
    expect(reversed).toEqual(forward);
    // And the verdicts a case gets on a fresh server of its own (test/mutants.test.ts): the
    // reference passes all, a mutant fails exactly the cases of its table.
    const failed = Object.keys(forward).filter((id) => forward[id] === 'fail');
    expect(failed.sort()).toEqual([...kills].sort());
  }, 300_000);
});

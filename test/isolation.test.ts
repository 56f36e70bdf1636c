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
  // A name a case leaves taken would fail a later case against duplicate-names. Not here: mutants
  // whose failures end a case mid-conversation (echo-to-sender): the next case may then register
  // "a" before the server has seen the last case's "a" go, so its verdict depends on the order.
  // no-leave-on-fin keeps members who left: a bug of the whole server, as above.
  chat: ['duplicate-names', 'no-join'],
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
  const targets: [string, () => Promise<RunningServer>][] = [
    ['the reference server', () => REFERENCE_SERVERS[suite.service].start({})],
    ...TWO_MUTANTS[suiteName].map((name): [string, () => Promise<RunningServer>] => {
      const mutant: Mutant | undefined = ZOO[suiteName][name];
      if (!mutant) throw new Error(`no mutant ${name} in the ${suiteName} zoo`);
      return [`mutant ${name}`, () => mutant.start({})];
    }),
  ];

  test.each(targets)('%s gives every case the same verdict in the written order and reversed', async (name, start) => {
    const forward = await verdicts(suite, suite.cases, start);
    const reversed = await verdicts(suite, [...suite.cases].reverse(), start);
    expect(reversed).toEqual(forward);
    const failed = Object.keys(forward).filter((id) => forward[id] === 'fail');
    // The runs are what they claim to be: the reference passes all, a mutant is caught.
    if (name === 'the reference server') expect(failed).toEqual([]);
    else expect(failed.length).toBeGreaterThan(0);
  }, 300_000);
});

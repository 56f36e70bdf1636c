import { peerOf, type Peer } from '../suite/schema';
import type { ClientCommand } from '../targets/client-command';

/**
 * Whether a target can run a suite: a client suite checks a client command (`--client`), a server
 * suite a server. The builtin target is the default and has no client: a client suite's cases are
 * skipped against it (`skipReason`), rather than failing a run of every suite.
 */
export function peerFit(suite: { suite: string; peer?: Peer }, targetKind: string, playsClient: boolean): { mismatch?: string; skipReason?: string } {
  const peer = peerOf(suite);
  if (peer === 'client' && !playsClient) {
    if (targetKind === 'builtin') return { skipReason: NO_CLIENT };
    return { mismatch: `the ${suite.suite} suite checks a client, and the ${targetKind} target is a server: give the client with --client "COMMAND {host} {port}"` };
  }
  if (peer === 'server' && playsClient) return { mismatch: `the ${suite.suite} suite checks a server, and --client gives a client: run a client suite (sockspec list shows them)` };
  return {};
}

/**
 * Why a client cannot run a suite whose cases check its timeout (needs: [client-timeout]) when it
 * declares none: the usage error of a run that names the suite, since what its cases would
 * measure against is missing (a run of every client suite skips them instead: run/needs.ts).
 */
export function clientTimeoutMissing(suite: { suite: string; cases: readonly { needs?: readonly string[] }[] }, client: ClientCommand): string | undefined {
  if (client.timeoutMs !== undefined || !suite.cases.some((c) => c.needs?.includes('client-timeout'))) return undefined;
  return `the ${suite.suite} suite checks the client's timeout: declare it with --client-timeout T (e.g. 2s; the command gets it as {timeout}, in seconds)`;
}

/** Why a client suite's case is skipped when no client is given. */
export const NO_CLIENT = 'a client suite, and no client was given (--client "COMMAND {host} {port}")';

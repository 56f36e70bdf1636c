import { peerOf, type Peer } from '../suite/schema';

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

/** Why a client suite's case is skipped when no client is given. */
export const NO_CLIENT = 'a client suite, and no client was given (--client "COMMAND {host} {port}")';

import { peerOf, type Peer, type Suite } from '../suite/schema';
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

/** What a TLS client suite gives its client besides {host} and {port}: without them a client cannot verify the server. */
const TLS_PLACEHOLDERS = ['{ca}', '{servername}'];

/** Whether a client suite plays a TLS server (a start-client step with `tls`), so gives {ca} and {servername}. */
function speaksTls(suite: Suite): boolean {
  return suite.cases.some((c) => c.steps.some((step) => 'start-client' in step && step['start-client']?.tls !== undefined));
}

/**
 * Whether a client command and a client suite are made for each other: a TLS suite's client
 * must take {ca} and {servername} (a client without them has no root to trust and no name to
 * verify), and a plain suite gives neither. Undefined when they fit, else why not.
 */
export function clientCommandMisfit(suite: Suite, command: string): string | undefined {
  const used = TLS_PLACEHOLDERS.filter((placeholder) => command.includes(placeholder));
  if (speaksTls(suite) && used.length < TLS_PLACEHOLDERS.length) {
    return `the ${suite.suite} suite checks a TLS client, which must take ${TLS_PLACEHOLDERS.join(' and ')} (the root to trust, the name to verify); the client command has ${used.length ? `only ${used.join('')}` : 'neither'}`;
  }
  if (!speaksTls(suite) && used.length > 0) return `the ${suite.suite} suite plays a plain TCP server and gives no ${used.join(' or ')}, which the client command uses`;
  return undefined;
}

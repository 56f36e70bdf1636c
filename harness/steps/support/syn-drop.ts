import type { StepContext } from '../context';
import { holdUntilCaseEnds } from './case-state';
import { NetworkNamespace } from '../../netns/namespace';
import { NamespaceError } from '../../netns/namespace-error';
import type { CommandWrap } from '../../targets/client-command';
import { StepFailure } from '../../verdict/failure';

/** Where a client whose SYNs are dropped runs, and the address it is given. */
export interface SynDropRoute {
  /** The host end of the namespace's veth pair: an address the run made, reachable only from its namespace. */
  host: string;
  /** Runs the client inside the namespace. */
  wrap: CommandWrap;
  /** The namespace's name, for the transcript. */
  name: string;
}

const TABLE = 'sockspec-client';

/**
 * A network namespace of the case's own from which every TCP segment to host:port is dropped
 * (nftables, output hook, inside the namespace): a client run there waits for an answer to its
 * SYN that never comes, the one way to make a connect time out without leaving loopback. Nothing
 * listens at the address either, so should the rule ever let a SYN through, the client is refused
 * at once and a client that keeps its timeout fails: a broken drop cannot pass a wrong client.
 * The namespace, its veth pair and the table (which lives inside it) go when the case ends.
 */
export async function synDropRoute(ctx: StepContext, port: number): Promise<SynDropRoute> {
  const ns = await holdUntilCaseEnds(ctx, NetworkNamespace.create().catch(failure('could not create the network namespace')), (made) => made.remove());
  const host = ns.subnet.host;
  const rules = `table inet ${TABLE} {\n  chain output {\n    type filter hook output priority 0; policy accept;\n    ip daddr ${host} tcp dport ${port} counter drop\n  }\n}\n`;
  await ns.inside('nft', ['-f', '-'], rules).catch(failure('could not set the rule that drops the SYNs'));
  return { host, wrap: (program, args) => ns.exec(program, args), name: ns.name };
}

function failure(what: string): (err: unknown) => never {
  return (err) => {
    if (err instanceof NamespaceError) throw new StepFailure(`${what}: ${err.message}`);
    throw err;
  };
}

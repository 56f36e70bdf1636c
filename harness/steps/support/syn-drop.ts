import { spawn } from 'node:child_process';
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
  const ns = await caseNamespace(ctx);
  const host = ns.subnet.host;
  const rules = `table inet ${TABLE} {\n  chain output {\n    type filter hook output priority 0; policy accept;\n    ip daddr ${host} tcp dport ${port} counter drop\n  }\n}\n`;
  await ns.inside('nft', ['-f', '-'], rules).catch(failure('could not set the rule that drops the SYNs'));
  return routeThrough(ns);
}

/** A network namespace of the case's own, joined to the host by a veth pair; it goes when the case ends. */
export function caseNamespace(ctx: StepContext): Promise<NetworkNamespace> {
  return holdUntilCaseEnds(ctx, NetworkNamespace.create().catch(failure('could not create the network namespace')), (made) => made.remove());
}

/** The client's way out of `ns`: to the host end of its veth pair. */
export function routeThrough(ns: NetworkNamespace): SynDropRoute {
  return { host: ns.subnet.host, wrap: (program, args) => ns.exec(program, args), name: ns.name };
}

const ANSWER_TABLE = 'sockspec-client-answers';

/**
 * Drops, inside `ns`, every TCP segment that comes from host:port (nftables, input hook): the
 * SYNs still leave the namespace, so a capture on the veth sees each attempt, but the answer
 * (a reset while nothing listens, a SYN-ACK once something does) never reaches the client, whose
 * connect can only time out. Resolves to the function that deletes the rule: from then on the
 * client's SYNs are answered. The nft that deletes it is started now and waits for its command
 * on stdin: started then, on a loaded machine, it could take a few hundred milliseconds to run,
 * and the rule must go when the case says. The rule goes with the namespace in any case.
 */
export async function dropAnswers(ctx: StepContext, ns: NetworkNamespace, host: string, port: number): Promise<() => Promise<void>> {
  const rules = `table inet ${ANSWER_TABLE} {\n  chain input {\n    type filter hook input priority 0; policy accept;\n    ip saddr ${host} tcp sport ${port} counter drop\n  }\n}\n`;
  await ns.inside('nft', ['-f', '-'], rules).catch(failure('could not set the rule that drops the answers'));
  const [program, args] = ns.exec('nft', ['-f', '-']);
  const deleter = spawn(program, args, { stdio: ['pipe', 'ignore', 'pipe'] });
  const said: Buffer[] = [];
  deleter.stderr.on('data', (piece: Buffer) => said.push(piece));
  deleter.stdin.on('error', () => undefined); // an nft gone before its command: its exit says why
  const exited = new Promise<number | null>((resolve) => {
    deleter.once('error', () => resolve(null));
    deleter.once('exit', (code) => resolve(code));
  });
  ctx.onCleanup(async () => {
    deleter.kill('SIGKILL');
  });
  return async () => {
    deleter.stdin.end(`delete table inet ${ANSWER_TABLE}\n`);
    const code = await exited;
    if (code !== 0) throw new StepFailure(`could not delete the rule that drops the answers: ${Buffer.concat(said).toString().trim() || `nft ended with ${code}`}`);
  };
}

function failure(what: string): (err: unknown) => never {
  return (err) => {
    if (err instanceof NamespaceError) throw new StepFailure(`${what}: ${err.message}`);
    throw err;
  };
}

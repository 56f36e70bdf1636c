import { execFileSync } from 'node:child_process';

/** What a network condition needs from the machine, beyond a namespace with a veth pair. */
export type Capability = 'netns' | 'nftables' | 'tbf' | 'netem';

/**
 * Each capability is tried for real in a throwaway namespace (`unshare --net`: the kernel removes
 * it when the command ends, so a probe cannot leave anything behind even if this process dies).
 * A missing program, missing rights and a kernel without the module all end the same way: the
 * probe fails, and its one-line reason is what a skipped case shows.
 */
const PROBES: Record<Capability, { command: string[]; what: string; input?: string }> = {
  netns: { command: ['ip', 'link', 'add', 'sockspec-probe', 'type', 'veth', 'peer', 'name', 'sockspec-peer'], what: 'network namespaces with veth pairs (ip)' },
  // The netdev egress hook (Linux 5.16) is the newest part the conditions use.
  nftables: {
    command: ['nft', '-f', '-'],
    input: 'table netdev sockspec-probe {\n  chain egress { type filter hook egress device "lo" priority 0; }\n}\n',
    what: 'nftables with the netdev egress hook (nft, Linux 5.16)',
  },
  tbf: { command: ['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'tbf', 'rate', '1mbit', 'burst', '32k', 'latency', '50ms'], what: 'the tc tbf qdisc' },
  netem: { command: ['tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'], what: 'the tc netem qdisc' },
};

const known = new Map<Capability, string | undefined>();

/** Why the machine lacks the capability (one line), or undefined when it has it. Cached per process. */
export function missingCapability(capability: Capability): string | undefined {
  if (!known.has(capability)) known.set(capability, probe(capability));
  return known.get(capability);
}

/** The first capability of the list the machine lacks, with the reason. */
export function firstMissing(capabilities: Iterable<Capability>): string | undefined {
  for (const capability of ['netns', ...capabilities] as Capability[]) {
    const why = missingCapability(capability);
    if (why) return why;
  }
  return undefined;
}

function probe(capability: Capability): string | undefined {
  const { command, what, input } = PROBES[capability];
  if (process.platform !== 'linux') return `${what}: network namespaces are Linux only`;
  if (process.getuid?.() !== 0) return `${what}: needs root (running as uid ${process.getuid?.()})`;
  try {
    execFileSync('unshare', ['--net', ...command], { input: input ?? '', stdio: ['pipe', 'ignore', 'pipe'], timeout: 5000 });
    return undefined;
  } catch (err) {
    return `${what}: ${failureLine(err as NodeJS.ErrnoException & { stderr?: Buffer })}`;
  }
}

function failureLine(err: NodeJS.ErrnoException & { stderr?: Buffer; path?: string }): string {
  if (err.code === 'ENOENT') return 'unshare is not installed (util-linux)';
  const line = err.stderr?.toString().split('\n').find((l) => l.trim())?.trim();
  if (!line) return err.message.split('\n')[0];
  // unshare reports a program it cannot run as "unshare: failed to execute tc: No such file or directory".
  const notFound = /failed to execute (\S+): No such file/.exec(line);
  if (notFound) return `${notFound[1]} is not installed (iproute2 has ip and tc, nftables has nft)`;
  return line.replace(/^Error: /, '').replace(/\.$/, '');
}

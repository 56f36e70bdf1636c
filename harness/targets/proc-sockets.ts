import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** Socket states as /proc/net/tcp writes them. */
export const TCP_STATE = { listen: '0A', timeWait: '06' } as const;

/** One socket of /proc/net/{tcp,udp}{,6}: its local port, state and inode. */
interface ProcSocket {
  port: number;
  state: string;
  inode: string;
}

/**
 * The sockets Linux lists for a protocol, over IPv4 and IPv6. What a connect probe cannot tell
 * (whose socket answers, whether one is merely bound, TIME_WAIT) can be read here. Undefined when
 * /proc cannot be read (not Linux). With a pid, the sockets of that process's network namespace.
 */
export function procSockets(protocol: 'tcp' | 'udp', pid?: number): ProcSocket[] | undefined {
  const dir = pid === undefined ? '/proc/net' : `/proc/${pid}/net`;
  if (!existsSync(`${dir}/${protocol}`)) return undefined;
  return [`${dir}/${protocol}`, `${dir}/${protocol}6`].flatMap((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return [];
    }
    return text
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields.length > 9)
      .map((fields) => ({ port: parseInt(fields[1].split(':').pop() ?? '0', 16), state: fields[3], inode: fields[9] }));
  });
}

/** The TCP ports a process listens on: its socket descriptors matched with the LISTEN entries. */
export function listeningPorts(pid: number): number[] {
  const inodes = socketInodes(pid);
  const ports = (procSockets('tcp') ?? []).filter((s) => s.state === TCP_STATE.listen && inodes.has(s.inode)).map((s) => s.port);
  return [...new Set(ports)].sort((a, b) => a - b);
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes;
  }
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (match) inodes.add(match[1]);
    } catch {
      // The descriptor closed while we looked.
    }
  }
  return inodes;
}

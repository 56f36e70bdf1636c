import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';

/** Socket states as /proc/net/tcp writes them. */
export const TCP_STATE = { listen: '0A', timeWait: '06' } as const;

/** One socket of /proc/net/{tcp,udp}{,6}: its local address and port, state and inode. */
interface ProcSocket {
  /** `127.0.0.1`, `::1`, `0.0.0.0`, `::`, ... */
  address: string;
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
      .map((fields) => {
        const [address, port] = fields[1].split(':');
        return { address: localAddress(address), port: parseInt(port, 16), state: fields[3], inode: fields[9] };
      });
  });
}

/**
 * /proc writes an address as 32-bit words in host byte order (little-endian on the machines
 * sockspec runs on): `0100007F` is 127.0.0.1; IPv6 is four such words, `::1` and `::ffff:...` included.
 */
function localAddress(hex: string): string {
  const words = hex.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((word) => (word.match(/../g) ?? []).reverse().map((byte) => parseInt(byte, 16)));
  if (bytes.length === 4) return bytes.join('.');
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] << 8) | bytes[2 * i + 1]).toString(16));
  // A URL writes an IPv6 host in its shortest form (`::1`).
  return new URL(`http://[${groups.join(':')}]`).hostname.slice(1, -1);
}

/** The TCP ports a process listens on: its socket descriptors matched with the LISTEN entries. */
export function listeningPorts(pid: number): number[] {
  const ports = listeningSockets(pid).map((s) => s.port);
  return [...new Set(ports)].sort((a, b) => a - b);
}

/** Where a process listens (TCP), address and port, e.g. to tell a user it listens on ::1 only. */
export function listeningSockets(pid: number): { address: string; port: number }[] {
  const inodes = socketInodes(pid);
  return (procSockets('tcp') ?? []).filter((s) => s.state === TCP_STATE.listen && inodes.has(s.inode)).map(({ address, port }) => ({ address, port }));
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

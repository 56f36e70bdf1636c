import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

const LISTEN = '0A';

/**
 * The TCP ports a process listens on, from /proc (Linux): its socket file descriptors matched with
 * the LISTEN entries of /proc/net/tcp{,6}. A connect probe cannot tell whose socket answers on a
 * port; this can. Empty when /proc cannot be read.
 */
export function listeningPorts(pid: number): number[] {
  const inodes = socketInodes(pid);
  const ports = new Set<number>();
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const fields of tableRows(file)) {
      if (fields[3] === LISTEN && inodes.has(fields[9])) ports.add(parseInt(fields[1].split(':').pop() ?? '0', 16));
    }
  }
  return [...ports].sort((a, b) => a - b);
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

function tableRows(file: string): string[][] {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields.length > 9);
  } catch {
    return [];
  }
}

import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/*
 * What a packet capture needs from the machine: root (tcpdump opens the device) and tcpdump; what
 * the wire checks need on top: tshark, which decodes the capture, and editcap, from its package.
 * Each is looked for once per process, and a missing one is said in one line, which a skipped case
 * or the run's summary shows.
 */

const known = new Map<string, string | undefined>();

/** Why this process cannot capture packets (one line), or undefined when it can. */
export function captureUnavailable(): string | undefined {
  if (!known.has('tcpdump')) {
    known.set('tcpdump', rootProblem('capture packets') ?? programProblem('tcpdump', 'tcpdump', 'capture packets') ?? programProblem('setpriv', 'util-linux', 'capture packets'));
  }
  return known.get('tcpdump');
}

/** Why this process cannot decode a capture (no tcpdump, no root or no tshark), or undefined when it can. */
export function decodeUnavailable(): string | undefined {
  // editcap (Debian's wireshark-common, which tshark depends on) cuts a capture to its headers first.
  if (!known.has('tshark')) known.set('tshark', programProblem('tshark', 'tshark', 'decode packet captures') ?? programProblem('editcap', 'tshark', 'decode packet captures'));
  return captureUnavailable() ?? known.get('tshark');
}

function rootProblem(what: string): string | undefined {
  if (process.platform !== 'linux') return `needs Linux to ${what} with tcpdump`;
  const uid = process.getuid?.();
  return uid === 0 ? undefined : `needs root to ${what} with tcpdump (running as uid ${uid})`;
}

function programProblem(program: string, debianPackage: string, what: string): string | undefined {
  return onPath(program) ? undefined : `needs ${program} to ${what} (apt-get install ${debianPackage})`;
}

/**
 * Whether an executable file of that name is on PATH. Looked up, not run: `tshark --version` took a
 * second of a suite file's worker, each worker once, before its first wire case. One that is there
 * and will not run says why in the case that uses it (a failure, never a pass).
 */
export function onPath(program: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => {
    const file = path.join(dir || '.', program);
    try {
      accessSync(file, constants.X_OK);
      return statSync(file).isFile();
    } catch {
      return false;
    }
  });
}

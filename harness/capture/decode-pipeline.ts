import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/** tshark takes ~0.5 s to start and decodes a 16 MiB connection in a few more; a hang ends here. */
const DECODE_MS = 60_000;

/** The packets a decode reads. */
export interface DecodeInput {
  /** A capture file; it may still be growing: what is written is read, up to its last whole packet. */
  file: string;
  /** Only the TCP packets to or from these ports reach tshark. */
  ports: readonly number[];
  /** Each packet is cut to this many bytes first; whole packets without it. */
  snapBytes?: number;
}

/**
 * Runs tshark with `args` on the packets of `input` (read from its standard input: tshark's own
 * `-r -` is added), handing each line it prints to `onLine`. Resolves once tshark has ended, and
 * rejects with the tools' own words when they cannot read the file, when `signal` aborts (the
 * tools ended), or when `onLine` throws (its error, the tools ended).
 *
 * A case's capture holds every packet the device carried while the case ran, the 16 MiB streams
 * of the cases beside it among them, and tshark dissects every packet it reads, whatever its
 * display filter: tcpdump's filter (libpcap's BPF, compiled C) leaves those out first. A wire
 * check beside such streams took tshark 1.6 s of CPU, and the whole builtin run's decodes nearly
 * 10 s, a third of its CPU.
 */
export function decodeWithTshark(input: DecodeInput, args: readonly string[], onLine: (line: string) => void, signal?: AbortSignal): Promise<void> {
  const filter = input.ports.map((port) => `tcp port ${port}`).join(' or ');
  const snap = input.snapBytes === undefined ? '' : `-s ${input.snapBytes}`;
  // A shell's pipe: tshark refuses to read a socket, which is what Node gives a child's stdout.
  // editcap first: it reads a file that ends in the middle of a packet (still being written) up
  // to it, says so and exits 0; tcpdump would fail on it. Each program is bounded on its own, so
  // a hang leaves none behind; --foreground keeps them in the shell's process group (timeout
  // otherwise makes one of its own), which an abort ends.
  const bound = `timeout --foreground ${DECODE_MS / 1000}`;
  const pipeline = `set -o pipefail; ${bound} editcap ${snap} -F pcap "$0" - | ${bound} tcpdump -r - -w - "$1" | ${bound} tshark -r - "\${@:2}"`;
  // A group of its own, so that an abort (the case's deadline) ends the shell and every program.
  const child = spawn('bash', ['-c', pipeline, input.file, filter, ...args], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stopped: Error | undefined;
  const stop = (why: Error) => {
    stopped ??= why;
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
  };
  const abort = () => stop(new Error(`the decode of ${input.file} was stopped: ${String(signal?.reason?.message ?? signal?.reason)}`));
  if (signal?.aborted) abort();
  signal?.addEventListener('abort', abort, { once: true });
  let said = '';
  child.stderr.on('data', (piece: Buffer) => {
    if (said.length < 4096) said += piece.toString();
  });
  createInterface({ input: child.stdout }).on('line', (line) => {
    if (stopped) return;
    try {
      onLine(line);
    } catch (err) {
      stop(err as Error);
    }
  });
  return new Promise((resolve, reject) => {
    child.once('error', (err) => reject(new Error(`could not run bash: ${err.message}`)));
    child.once('close', (code) => {
      signal?.removeEventListener('abort', abort);
      if (stopped) reject(stopped);
      else if (code === 0) resolve();
      else reject(new Error(`could not decode ${input.file}: ${lastLine(said) || `exit code ${code}`}`));
    });
  });
}

function lastLine(text: string): string {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^Running as user/.test(l) && !/^reading from file/.test(l))
    .pop() ?? '';
}

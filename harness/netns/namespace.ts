import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { holdUntilExit } from '../targets/exit-cleanup';
import { NamespaceError } from './namespace-error';
import { freeSubnet, releaseSubnet, type Subnet } from './subnet';

const run = promisify(execFile);

/**
 * Names carry the owning process id, so parallel runs never collide and a namespace whose owner
 * is gone (a run killed with SIGKILL) is recognised and removed by the next run. Interface names
 * are limited to 15 characters: `ss<pid>-<n>h` fits any Linux pid.
 */
export const NAMESPACE = /^sockspec-(\d+)-(\d+)$/;
export const HOST_LINK = /^ss(\d+)-(\d+)h$/;

let created = 0;
let swept = false;


/**
 * A network namespace of this run, joined to the host by a veth pair: the host end and the inner
 * end carry the two addresses of a /30 nothing else on the machine uses. Servers run inside it
 * (`ip netns exec`), and conditions are applied to the inner end (nftables, tc) and, for traffic
 * towards the server, to the host end. remove() deletes both ends and the namespace, and so does
 * this process's exit (Ctrl-C included) where exit hooks fire: inside jest, see removeOwnedBy().
 */
export class NetworkNamespace {
  private removing: Promise<void> | undefined;
  private removed = false;
  private readonly release: () => void;

  private constructor(
    readonly name: string,
    /** The host end, in the host's namespace: its egress carries traffic to the server. */
    readonly hostDevice: string,
    /** The end inside the namespace: its egress carries the server's traffic to clients. */
    readonly innerDevice: string,
    readonly subnet: Subnet,
  ) {
    this.release = holdUntilExit({ stop: () => this.remove(), removeNow: () => this.removeNow() });
  }

  /** The address the server listens on, inside the namespace. */
  get address(): string {
    return this.subnet.inner;
  }

  static async create(): Promise<NetworkNamespace> {
    if (!swept) {
      swept = true;
      removeOwnedBy((pid) => !isRunning(pid));
    }
    const n = ++created;
    const ns = new NetworkNamespace(`sockspec-${process.pid}-${n}`, `ss${process.pid}-${n}h`, `ss${process.pid}-${n}n`, await freeSubnet());
    try {
      await ns.setUp();
    } catch (err) {
      await ns.remove();
      throw err;
    }
    return ns;
  }

  /** The command line that runs `program` inside the namespace. */
  exec(program: string, args: readonly string[]): [string, string[]] {
    return ['ip', ['netns', 'exec', this.name, program, ...args]];
  }

  /** Runs a command inside the namespace (nft, tc); `input` goes to its stdin. */
  async inside(program: string, args: readonly string[], input?: string): Promise<string> {
    const [ip, words] = this.exec(program, args);
    return command(ip, words, input);
  }

  /** Runs a command in the host's namespace (tc on the host end). */
  async outside(program: string, args: readonly string[]): Promise<string> {
    return command(program, args);
  }

  /** Deletes the veth pair and the namespace; safe to call twice. */
  remove(): Promise<void> {
    this.removing ??= (async () => {
      killInside(this.name);
      // Deleting a namespace frees its devices only later; deleting the link frees both ends now.
      await command('ip', ['link', 'del', this.hostDevice]).catch(() => undefined);
      await command('ip', ['netns', 'del', this.name]).catch(() => undefined);
      this.removed = true;
      releaseSubnet(this.subnet);
      this.release();
    })();
    return this.removing;
  }

  /** For the exit hook: also when an asynchronous remove() began but the process ends before it finishes. */
  private removeNow(): void {
    if (this.removed) return;
    this.removed = true;
    killInside(this.name);
    for (const args of [['link', 'del', this.hostDevice], ['netns', 'del', this.name]]) {
      try {
        execFileSync('ip', args, { stdio: 'ignore', timeout: 5000 });
      } catch {
        // Already gone.
      }
    }
  }

  private async setUp(): Promise<void> {
    const { host, inner, prefix } = this.subnet;
    await command('ip', ['netns', 'add', this.name]);
    // Without segmentation offload each packet on the pair is one MTU-sized segment, as on a real
    // link: otherwise a dropped "packet" can be 64 KiB of segments, and loss comes in lumps.
    const noOffload = ['gso_max_size', '1500', 'gso_max_segs', '1'];
    // One `ip -batch` per side instead of a process per command: a namespace is ready in tens of
    // milliseconds, not the best part of a second, and each network suite file waits for one.
    await ipBatch([], [
      ['link', 'add', this.hostDevice, 'type', 'veth', 'peer', 'name', this.innerDevice, 'netns', this.name],
      ['addr', 'add', `${host}/${prefix}`, 'dev', this.hostDevice],
      ['link', 'set', this.hostDevice, ...noOffload],
      ['link', 'set', this.hostDevice, 'up'],
    ]);
    await ipBatch(['-n', this.name], [
      ['link', 'set', this.innerDevice, ...noOffload],
      ['addr', 'add', `${inner}/${prefix}`, 'dev', this.innerDevice],
      ['link', 'set', this.innerDevice, 'up'],
      ['link', 'set', 'lo', 'up'],
    ]);
  }
}

/** Runs `ip` commands in one process (`ip -batch`); a failure names the command that failed, as a single `ip` call would. */
async function ipBatch(options: readonly string[], commands: readonly (readonly string[])[]): Promise<void> {
  try {
    const child = run('ip', [...options, '-batch', '-'], { timeout: 10_000, encoding: 'utf8' });
    child.child.stdin?.end(commands.map((c) => c.join(' ')).join('\n') + '\n');
    await child;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    const lines = (e.stderr ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
    // ip prints the error, then "Command failed -:N" naming the line of the batch.
    const number = /^Command failed -:(\d+)/.exec(lines.find((l) => l.startsWith('Command failed')) ?? '')?.[1];
    const failed = (number !== undefined && commands[Number(number) - 1]) || ['-batch', '-'];
    const reason = lines.find((l) => !l.startsWith('Command failed')) ?? e.code ?? e.message;
    throw new NamespaceError(`ip ${[...options, ...failed].join(' ')}: ${reason}`);
  }
}

async function command(program: string, args: readonly string[], input?: string): Promise<string> {
  try {
    const child = run(program, [...args], { timeout: 10_000, encoding: 'utf8' });
    if (input !== undefined) child.child.stdin?.end(input);
    return (await child).stdout;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    const line = e.stderr?.split('\n').find((l) => l.trim()) ?? e.code ?? e.message;
    throw new NamespaceError(`${program} ${args.join(' ')}: ${line.trim()}`);
  }
}

/**
 * Removes the namespaces and host links whose owner pid `owned` picks, killing what still runs
 * inside first (a namespace outlives its name while a process is in it). Synchronous, for exit
 * paths. Hooks on `process` do not fire inside jest's sandbox (it hands test code a copy of the
 * process object), so the CLI calls this for its run, and each new namespace sweeps dead owners'.
 */
export function removeOwnedBy(owned: (pid: number) => boolean): void {
  const ip = (args: string[]) => {
    try {
      return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 });
    } catch {
      return '';
    }
  };
  const picked = (pattern: RegExp) => (name: string) => {
    const match = pattern.exec(name);
    return match !== null && owned(Number(match[1]));
  };
  const namespaces = ip(['netns', 'list']).split('\n').map((line) => line.split(' ')[0]).filter(picked(NAMESPACE));
  const links = ip(['-o', 'link', 'show']).split('\n').map((line) => line.split(':')[1]?.trim().split('@')[0] ?? '').filter(picked(HOST_LINK));
  for (const ns of namespaces) killInside(ns);
  for (const link of links) ip(['link', 'del', link]);
  for (const ns of namespaces) ip(['netns', 'del', ns]);
}

/** SIGKILL for every process still in the namespace: one left there keeps it (and its port) alive, unnamed. */
function killInside(name: string): void {
  let pids: string[];
  try {
    pids = execFileSync('ip', ['netns', 'pids', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5000 }).split('\n');
  } catch {
    return;
  }
  for (const pid of pids.filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // Gone already.
    }
  }
}

/**
 * The namespaces of this run: made by this process, or by a jest worker it started. A worker that
 * has exited has no parent to ask, so whatever a dead owner left is removed too (it is nobody's).
 */
export function removeThisRunsNamespaces(): void {
  removeOwnedBy((pid) => pid === process.pid || parentOf(pid) === process.pid || !isRunning(pid));
}

/** The parent of a process, from /proc; undefined when it is gone (or there is no /proc). */
export function parentOf(pid: number): number | undefined {
  try {
    // The fields after the command name, which is in parentheses and may hold spaces.
    return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** Whether a process still runs (one of another user's, which may not be signalled, does). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

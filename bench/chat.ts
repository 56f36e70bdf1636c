import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { LineReader } from '../harness/servers/line-reader';
import { loadProfile } from '../harness/suite/profile';
import type { Profile } from '../harness/steps/support/profile';
import { substitute } from '../harness/steps/support/template';
import { freePort } from '../harness/targets/free-port';
import { sleep } from '../harness/net/waiter';
import { BIN } from './processes';
import type { BenchRow } from './table';

const FAN_OUT_MEMBERS = 200;
const MESSAGES = 110;
/** The first messages warm both sides up and are not counted. */
const WARM_UP = 10;
/** One message at a time, so ncat (which relays per read) reads each alone, as a chat would be used. */
const MESSAGE_GAP_MS = 5;
const IDLE_MEMBERS = 1000;
const TARGET_P99_MS = 20;
const WAIT_MS = 30_000;

/** A chat server under test: the reference as a process of its own, or the peer, described by its profile. */
interface Flavour {
  label: string;
  profile: Profile;
  command(port: number): [string, string[]];
}

const REFERENCE: Flavour = {
  label: 'sockspec serve chat',
  profile: loadProfile('sockspec-chat'),
  command: (port) => [process.execPath, [BIN, 'serve', 'chat', '--port', String(port)]],
};

/** ncat accepts 100 connections unless told otherwise. */
const NCAT: Flavour = {
  label: 'ncat --chat',
  profile: loadProfile('ncat-chat'),
  command: (port) => ['ncat', ['--chat', '-m', String(IDLE_MEMBERS + 100), '-l', '127.0.0.1', String(port)]],
};

/**
 * `npm run bench` rows for the chat server: fan-out delivery latency in a room of 200 and the
 * server's memory with 1,000 idle members, each next to ncat --chat measured in the same run.
 */
export async function benchChat(): Promise<BenchRow[]> {
  return [await fanOutRow(), await memoryRow()];
}

async function fanOutRow(): Promise<BenchRow> {
  const reference = await measure(REFERENCE, fanOutLatency);
  const ncat = await measure(NCAT, fanOutLatency).catch((err: Error) => err);
  const shown = (l: Latency) => `p50 ${l.p50.toFixed(2)} ms, p99 ${l.p99.toFixed(2)} ms${l.missing ? `, ${l.missing} lost` : ''}`;
  return {
    name: `chat fan-out latency, ${FAN_OUT_MEMBERS} members`,
    value: shown(reference),
    peer: ncat instanceof Error ? `ncat: ${ncat.message}` : `ncat --chat ${shown(ncat)}`,
    comparison: ncat instanceof Error ? '-' : `p99 ${(reference.p99 / ncat.p99).toFixed(2)}x ncat`,
    target: `p99 <= ${TARGET_P99_MS} ms`,
    met: reference.missing === 0 && reference.p99 <= TARGET_P99_MS,
  };
}

async function memoryRow(): Promise<BenchRow> {
  const reference = await measure(REFERENCE, idleMemory);
  const ncat = await measure(NCAT, idleMemory).catch((err: Error) => err);
  const shown = (m: Memory) => `${mib(m.rss)} MiB RSS (${((m.rss - m.baseline) / IDLE_MEMBERS / 1024).toFixed(1)} KiB/member)`;
  return {
    name: `chat server memory, ${IDLE_MEMBERS} idle members`,
    value: shown(reference),
    peer: ncat instanceof Error ? `ncat: ${ncat.message}` : `ncat --chat ${shown(ncat)}`,
    comparison: ncat instanceof Error ? '-' : `${(reference.rss / ncat.rss).toFixed(1)}x ncat`,
    target: '-',
    met: undefined,
  };
}

/** Starts the flavour's server, runs one measurement against it, stops it. */
async function measure<T>(flavour: Flavour, run: (server: Server, flavour: Flavour) => Promise<T>): Promise<T> {
  const server = await Server.start(flavour);
  try {
    return await run(server, flavour);
  } finally {
    server.stop();
  }
}

interface Latency {
  p50: number;
  p99: number;
  missing: number;
}

/** One member sends numbered messages; every other member notes when each arrives. */
async function fanOutLatency(server: Server, flavour: Flavour): Promise<Latency> {
  const room = await joinMembers(server.port, flavour.profile, FAN_OUT_MEMBERS);
  try {
    const sentAt: number[] = [];
    const samples: number[] = [];
    let arrived = 0;
    for (const member of room.slice(1)) {
      member.onLine = (line) => {
        const seq = /bench (\d+)$/.exec(line)?.[1];
        if (seq === undefined) return;
        arrived++;
        if (Number(seq) >= WARM_UP) samples.push(performance.now() - sentAt[Number(seq)]);
      };
    }
    const say = flavour.profile.vars.say ?? '';
    for (let i = 0; i < MESSAGES; i++) {
      sentAt[i] = performance.now();
      room[0].write(`${say}bench ${i}\n`);
      await sleep(MESSAGE_GAP_MS);
    }
    const expected = (FAN_OUT_MEMBERS - 1) * MESSAGES;
    await until(() => arrived >= expected, WAIT_MS);
    samples.sort((a, b) => a - b);
    return { p50: percentile(samples, 50), p99: percentile(samples, 99), missing: expected - arrived };
  } finally {
    for (const member of room) member.close();
  }
}

interface Memory {
  baseline: number;
  rss: number;
}

async function idleMemory(server: Server, flavour: Flavour): Promise<Memory> {
  const baseline = server.rss();
  const room = await joinMembers(server.port, flavour.profile, IDLE_MEMBERS);
  try {
    // Let the last announcements drain before reading the resident size.
    await sleep(1000);
    return { baseline, rss: server.rss() };
  } finally {
    for (const member of room) member.close();
  }
}

/**
 * Members join one after another, each by the profile's join exchange, so every one is in the room
 * before the next arrives. After joining a member only drains what it receives, unless onLine is set:
 * ncat announces each join to everyone with the whole member list, 8 GB for 1,000 joins.
 */
async function joinMembers(port: number, profile: Profile, count: number): Promise<Member[]> {
  const room: Member[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const member = await Member.connect(port);
      room.push(member);
      await member.join(profile, `m${i}`);
    }
  } catch (err) {
    for (const member of room) member.close();
    throw err;
  }
  return room;
}

/** A raw chat client: splits what it receives into lines only while someone is listening. */
class Member {
  onLine: ((line: string) => void) | undefined;
  private readonly reader = new LineReader(Infinity);

  private constructor(private readonly socket: net.Socket) {
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      const listener = this.onLine;
      if (!listener) return;
      for (const event of this.reader.push(chunk)) if (event.kind === 'line') listener(event.line.toString('utf8'));
    });
  }

  static connect(port: number): Promise<Member> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port, noDelay: true }, () => {
        socket.off('error', reject);
        resolve(new Member(socket));
      });
      socket.once('error', reject);
    });
  }

  /** The profile's join exchange with `name` as {{conn}}; then back to draining. */
  async join(profile: Profile, name: string): Promise<void> {
    const fill = (template: string) => substitute(template, (key) => (key === 'conn' ? name : (profile.vars[key] ?? '')));
    const lines: string[] = [];
    this.onLine = (line) => lines.push(line);
    try {
      for (const step of profile.join) {
        if ('send' in step) this.write(`${fill(step.send)}\n`);
        else await this.expect(lines, new RegExp(`^(?:${fill(step.expect)})$`, 'u'));
      }
    } finally {
      this.onLine = undefined;
    }
  }

  write(text: string): void {
    this.socket.write(text);
  }

  close(): void {
    this.socket.destroy();
  }

  private async expect(lines: string[], pattern: RegExp): Promise<void> {
    if (!(await until(() => lines.length > 0, WAIT_MS))) throw new Error(`no line matching ${pattern} within ${WAIT_MS} ms`);
    const line = lines.shift() as string;
    if (!pattern.test(line)) throw new Error(`expected a line matching ${pattern}, received ${JSON.stringify(line)}`);
  }
}

/** A server process on a free loopback port, ready once it accepts a connection. */
class Server {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {}

  static async start(flavour: Flavour): Promise<Server> {
    const port = await freePort('tcp');
    const [command, args] = flavour.command(port);
    const child = spawn(command, args, { stdio: 'ignore' });
    const failed = new Promise<Error>((resolve) => child.once('error', resolve));
    const ready = await Promise.race([failed, acceptsWithin(port, 5000)]);
    if (ready instanceof Error || !ready) {
      child.kill('SIGKILL');
      throw ready instanceof Error ? new Error(`${command} could not start (${(ready as NodeJS.ErrnoException).code ?? ready.message})`) : new Error(`${command} did not listen`);
    }
    return new Server(child, port);
  }

  /** Resident set size in bytes (Linux /proc). */
  rss(): number {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? NaN) * 1024;
  }

  stop(): void {
    this.child.kill('SIGKILL');
  }
}

async function acceptsWithin(port: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const accepted = await new Promise<boolean>((resolve) => {
      const probe = net.connect({ host: '127.0.0.1', port }, () => {
        probe.destroy();
        resolve(true);
      });
      probe.once('error', () => resolve(false));
    });
    if (accepted) return true;
    await sleep(20);
  }
  return false;
}

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await sleep(5);
  }
  return true;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

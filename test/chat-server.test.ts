import net from 'node:net';
import { startChat } from '../harness/servers/chat';
import { LineReader } from '../harness/servers/line-reader';
import type { ListenOptions, RunningServer } from '../harness/servers/running-server';
import { Waiter } from '../harness/net/waiter';
import * as blockingBroadcast from '../fixtures/mutants/chat/blocking-broadcast';
import * as closeOnLongLine from '../fixtures/mutants/chat/close-on-long-line';
import * as disconnectOnUnknown from '../fixtures/mutants/chat/disconnect-on-unknown';
import * as duplicateNames from '../fixtures/mutants/chat/duplicate-names';
import * as echoToSender from '../fixtures/mutants/chat/echo-to-sender';
import * as joinBeforeWelcome from '../fixtures/mutants/chat/join-before-welcome';
import * as noJoin from '../fixtures/mutants/chat/no-join';
import * as noLeaveOnReset from '../fixtures/mutants/chat/no-leave-on-reset';
import * as partialLines from '../fixtures/mutants/chat/partial-lines';
import * as reorderUnderLoad from '../fixtures/mutants/chat/reorder-under-load';

const WAIT_MS = 2000;
const HELLO = 'HELLO sockspec-chat 1';

type Ending = 'fin' | 'reset';

/** A raw chat client: what it writes goes out as is, and every line it receives is kept in order. */
class Peer {
  readonly lines: string[] = [];
  private ending: Ending | undefined;
  private cursor = 0;
  private pings = 0;
  private readonly waiter = new Waiter();
  // Unbounded: server lines have no length limit (chat-protocol §2.6).
  private readonly reader = new LineReader(Infinity);

  private constructor(
    readonly name: string,
    private readonly socket: net.Socket,
  ) {
    socket.on('data', (chunk: Buffer) => {
      for (const event of this.reader.push(chunk)) if (event.kind === 'line') this.lines.push(event.line.toString('utf8'));
      this.waiter.notify();
    });
    socket.on('end', () => this.ended('fin'));
    socket.on('error', () => this.ended('reset'));
    socket.on('close', () => this.ended('reset'));
  }

  static connect(port: number, name = 'anonymous'): Promise<Peer> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: '127.0.0.1', port, noDelay: true });
      socket.once('error', reject);
      socket.once('connect', () => {
        socket.off('error', reject);
        resolve(new Peer(name, socket));
      });
    });
  }

  /** Takes HELLO, sends NICK with this peer's name and returns the two lines that answer it. */
  async register(): Promise<string[]> {
    expect(await this.next()).toBe(HELLO);
    this.send(`NICK ${this.name}\n`);
    return [await this.next(), await this.next()];
  }

  send(data: string | Buffer): void {
    this.socket.write(data);
  }

  /** The next line not yet taken. */
  async next(): Promise<string> {
    if (!(await this.until(() => this.cursor < this.lines.length))) {
      throw new Error(`${this.name}: no line within ${WAIT_MS} ms; had ${JSON.stringify(this.lines.slice(-3))}`);
    }
    return this.lines[this.cursor++];
  }

  /** Lines received and not yet taken, left in place. */
  unread(): string[] {
    return this.lines.slice(this.cursor);
  }

  /** Lines that arrive before the answer to a PING: with nothing pending, proof that nothing else came (§10). */
  async sync(): Promise<string[]> {
    const pong = `PONG sync-${++this.pings}`;
    this.send(`PING sync-${this.pings}\n`);
    const before: string[] = [];
    for (let line = await this.next(); line !== pong; line = await this.next()) before.push(line);
    return before;
  }

  until(condition: () => boolean, ms = WAIT_MS): Promise<boolean> {
    return this.waiter.until(condition, Date.now() + ms).then((result) => result === 'ready');
  }

  async closed(): Promise<Ending | undefined> {
    await this.until(() => this.ending !== undefined);
    return this.ending;
  }

  pause(): void {
    this.socket.pause();
  }

  resume(): void {
    this.socket.resume();
  }

  end(): void {
    this.socket.end();
  }

  reset(): void {
    this.socket.resetAndDestroy();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private ended(how: Ending): void {
    this.ending ??= how;
    this.waiter.notify();
  }
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

let server: RunningServer | undefined;
const peers: Peer[] = [];

afterEach(async () => {
  for (const peer of peers.splice(0)) peer.destroy();
  await server?.close();
  server = undefined;
});

async function serve(start: (options: ListenOptions) => Promise<RunningServer> = startChat): Promise<number> {
  server = await start({});
  return server.port;
}

async function connect(port: number, name?: string): Promise<Peer> {
  const peer = await Peer.connect(port, name);
  peers.push(peer);
  return peer;
}

/** Registers the names in order, each waiting for its WELCOME so the join order is the given one. */
async function members(port: number, ...names: string[]): Promise<Peer[]> {
  const joined: Peer[] = [];
  for (const name of names) {
    const peer = await connect(port, name);
    const [welcome, list] = await peer.register();
    expect(welcome).toBe(`WELCOME ${name}`);
    expect(list).toMatch(/^MEMBERS /);
    joined.push(peer);
  }
  return joined;
}

/** `registered` peers each skip the JOIN lines of those registered after them. */
async function skipJoins(registered: Peer[]): Promise<void> {
  for (const [i, peer] of registered.entries()) {
    for (const later of registered.slice(i + 1)) expect(await peer.next()).toBe(`JOIN ${later.name}`);
  }
}

const MESSAGES_PER_SENDER = 50;

/**
 * Three members send 50 messages each, interleaved, while a fourth only listens. Returns what
 * breaks §6: pairs of members whose common messages differ in order, and senders seen out of FIFO.
 */
async function concurrentSendViolations(port: number): Promise<string[]> {
  const room = await members(port, 'a', 'b', 'c', 'listener');
  const senders = room.slice(0, 3);
  for (let i = 0; i < MESSAGES_PER_SENDER; i++) {
    for (const sender of senders) sender.send(`MSG ${i}\n`);
    await nextTurn();
  }
  const expected = (peer: Peer) => MESSAGES_PER_SENDER * (senders.includes(peer) ? senders.length - 1 : senders.length);
  // JOINs are left out: a server that reorders may reorder them too, and the check is about MSG.
  const messages = (peer: Peer) => peer.unread().filter((line) => line.startsWith('MSG '));
  for (const peer of room) await peer.until(() => messages(peer).length >= expected(peer));
  const views = room.map(messages);
  return [...pairOrderViolations(room, views), ...fifoViolations(views[3])];
}

function pairOrderViolations(room: Peer[], views: string[][]): string[] {
  const violations: string[] = [];
  const without = (view: string[], sender: Peer) => JSON.stringify(view.filter((line) => !line.startsWith(`MSG ${sender.name} `)));
  for (let i = 0; i < room.length; i++) {
    for (let j = i + 1; j < room.length; j++) {
      if (without(views[i], room[j]) !== without(views[j], room[i])) violations.push(`${room[i].name} and ${room[j].name} disagree`);
    }
  }
  return violations;
}

function fifoViolations(view: string[]): string[] {
  const last = new Map<string, number>();
  const violations: string[] = [];
  for (const line of view) {
    const [, sender, index] = line.split(' ');
    if (Number(index) !== (last.get(sender) ?? -1) + 1) violations.push(`${line} out of order`);
    last.set(sender, Number(index));
  }
  return violations;
}

const FLOOD_MESSAGES = 8192;
const FLOOD_TEXT = 'x'.repeat(1000);

/**
 * `a` floods 8 MiB (Linux loopback buffers alone absorb about 4 MiB, §9.4) while `b` reads nothing
 * and `c` reads everything. Returns how long `c` took to get it all (or undefined) and c's other lines.
 */
async function slowConsumerRun(port: number): Promise<{ ms: number | undefined; others: string[]; b: Peer }> {
  const [a, b, c] = await members(port, 'a', 'b', 'c');
  await skipJoins([a, b]);
  b.pause();
  const started = Date.now();
  for (let i = 0; i < FLOOD_MESSAGES; i++) a.send(`MSG ${FLOOD_TEXT}\n`);
  const fromA = (line: string) => line.startsWith('MSG a ');
  const complete = await c.until(() => c.unread().filter(fromA).length === FLOOD_MESSAGES);
  return { ms: complete ? Date.now() - started : undefined, others: c.unread().filter((line) => !fromA(line)), b };
}

describe('chat reference server', () => {
  test('greets, registers and lists the members in join order (§4.1, §4.3)', async () => {
    const port = await serve();
    const ann = await connect(port, 'ann');
    expect(await ann.register()).toEqual(['WELCOME ann', 'MEMBERS 0']);
    await members(port, 'bob');
    const carol = await connect(port, 'carol');
    expect(await carol.register()).toEqual(['WELCOME carol', 'MEMBERS 2 ann bob']);
  });

  test('announces JOIN to the others only (§4.4, §4.5)', async () => {
    const port = await serve();
    const [ann, bob] = await members(port, 'ann', 'bob');
    expect(await ann.sync()).toEqual(['JOIN bob']);
    expect(await bob.sync()).toEqual([]);
  });

  test('answers registration errors and keeps the connection (§4.2, §4.6, §7)', async () => {
    const port = await serve();
    await members(port, 'ann');
    const peer = await connect(port);
    await peer.next();
    const attempts = ['MSG hi', 'NICK', 'NICK ', 'NICK a b', 'NICK ' + 'n'.repeat(33), 'NICK caf\u00e9', 'NICK ann', 'nick bob', 'HELP'];
    peer.send(attempts.map((line) => line + '\n').join(''));
    const codes: string[] = [];
    for (let i = 0; i < attempts.length; i++) codes.push((await peer.next()).split(' ').slice(0, 2).join(' '));
    expect(codes).toEqual([
      'ERROR not-registered',
      'ERROR bad-name',
      'ERROR bad-name',
      'ERROR bad-name',
      'ERROR bad-name',
      'ERROR bad-name',
      'ERROR name-taken',
      'ERROR unknown-command',
      'ERROR unknown-command',
    ]);
    peer.send('NICK ' + 'n'.repeat(32) + '\nNICK again\n');
    expect(await peer.next()).toBe('WELCOME ' + 'n'.repeat(32));
    expect(await peer.next()).toBe('MEMBERS 1 ann');
    expect(await peer.next()).toMatch(/^ERROR already-registered/);
  });

  test('relays MSG to every other member exactly once, not to the sender (§5)', async () => {
    const port = await serve();
    const room = await members(port, 'a', 'b', 'c', 'd');
    await skipJoins(room);
    room[0].send('MSG hello, world \u00e9\nMSG\n');
    expect(await room[0].sync()).toEqual([]);
    for (const peer of room.slice(1)) expect(await peer.sync()).toEqual(['MSG a hello, world \u00e9', 'MSG a ']);
  });

  test('all members see one order; each sender stays FIFO (§6)', async () => {
    expect(await concurrentSendViolations(await serve())).toEqual([]);
  });

  test('a line written one byte at a time is one message; two lines in one write are two (§2.3)', async () => {
    const port = await serve();
    const [a, b] = await members(port, 'a', 'b');
    await skipJoins([a, b]);
    for (const byte of 'MSG split\n') {
      a.send(byte);
      await delay(1);
    }
    a.send('MSG one\nMSG two\nMSG pen');
    await delay(20);
    a.send('ding\n');
    expect(await a.sync()).toEqual([]);
    expect(await b.sync()).toEqual(['MSG a split', 'MSG a one', 'MSG a two', 'MSG a pending']);
  });

  test('an over-long line gets ERROR line-too-long, once, and the connection goes on (§2.4)', async () => {
    const port = await serve();
    const [a, b] = await members(port, 'a', 'b');
    await skipJoins([a, b]);
    const fits = 'MSG ' + 'y'.repeat(1020);
    a.send(`${fits}\n${fits}\r\n${fits}z\n`);
    for (let i = 0; i < 5; i++) a.send('z'.repeat(1000));
    a.send('\nMSG after\n');
    expect((await a.sync()).map((line) => line.split(' ')[1])).toEqual(['line-too-long', 'line-too-long']);
    expect(await b.sync()).toEqual([`MSG a ${'y'.repeat(1020)}`, `MSG a ${'y'.repeat(1020)}`, 'MSG a after']);
  });

  test('QUIT gets BYE and a FIN; the others get LEAVE quit (§8.1)', async () => {
    const port = await serve();
    const [a, b] = await members(port, 'a', 'b');
    await skipJoins([a, b]);
    b.send('MSG last words\nQUIT gone fishing\nMSG ignored\n');
    expect(await b.next()).toBe('BYE');
    expect(await b.closed()).toBe('fin');
    expect(await a.next()).toBe('MSG b last words');
    expect(await a.next()).toBe('LEAVE b quit');
    expect(await a.sync()).toEqual([]);
  });

  test('a reset or a FIN without QUIT is LEAVE lost, and frees the name (§8.2, §8.3)', async () => {
    const port = await serve();
    const [a, b, c] = await members(port, 'a', 'b', 'c');
    await skipJoins([a, b, c]);
    b.reset();
    expect(await a.next()).toBe('LEAVE b lost');
    c.send('MSG before fin\n');
    c.end();
    expect(await a.next()).toBe('MSG c before fin');
    expect(await a.next()).toBe('LEAVE c lost');
    const [again] = await members(port, 'b');
    expect(await again.sync()).toEqual([]);
  });

  test('a member that does not read is dropped while the others keep up (§9)', async () => {
    const { ms, others, b } = await slowConsumerRun(await serve());
    expect(others).toEqual(['LEAVE b slow-consumer']);
    expect(ms).toBeLessThan(2000);
    b.resume();
    // The server resets, but libuv reports a reset that follows unread data as a plain end, so
    // only the closing itself is checked.
    expect(await b.closed()).toBeDefined();
  });

  test('fans out to 200 members quickly', async () => {
    const port = await serve();
    const room = await Promise.all(Array.from({ length: 200 }, (_, i) => connect(port, `m${i}`)));
    for (const peer of room) peer.send(`NICK ${peer.name}\n`);
    for (const peer of room) expect(await peer.until(() => peer.lines.includes(`WELCOME ${peer.name}`))).toBe(true);
    const sender = room[0];
    const started = Date.now();
    for (let i = 0; i < 50; i++) sender.send(`MSG ${i}\n`);
    for (const peer of room.slice(1)) expect(await peer.until(() => peer.lines.includes('MSG m0 49'))).toBe(true);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('chat mutants misbehave on the wire', () => {
  test('echo-to-sender: the sender gets its own MSG', async () => {
    const [a, b] = await members(await serve(echoToSender.start), 'a', 'b');
    await skipJoins([a, b]);
    a.send('MSG hi\n');
    expect(await a.sync()).toEqual(['MSG a hi']);
  });

  test('join-before-welcome: the newcomer sees its own JOIN before WELCOME', async () => {
    const a = await connect(await serve(joinBeforeWelcome.start), 'a');
    expect(await a.register()).toEqual(['JOIN a', 'WELCOME a']);
  });

  test('partial-lines: a message split across writes arrives in pieces', async () => {
    const [a, b] = await members(await serve(partialLines.start), 'a', 'b');
    await skipJoins([a, b]);
    a.send('MSG hel');
    await delay(20);
    a.send('lo\n');
    // Kept apart from the PING that follows, which this server would otherwise take as part of it.
    await delay(20);
    expect(await a.sync()).toEqual([expect.stringMatching(/^ERROR unknown-command/)]);
    expect(await b.sync()).toEqual(['MSG a hel']);
  });

  test('reorder-under-load: members disagree on the order', async () => {
    expect(await concurrentSendViolations(await serve(reorderUnderLoad.start))).not.toEqual([]);
  });

  test('blocking-broadcast: one non-reader stalls the others and is never dropped', async () => {
    const { ms, others } = await slowConsumerRun(await serve(blockingBroadcast.start));
    expect(ms).toBeUndefined();
    expect(others).toEqual([]);
  });

  test('no-leave-on-reset: a reset member leaves no LEAVE', async () => {
    const [a, b, c] = await members(await serve(noLeaveOnReset.start), 'a', 'b', 'c');
    await skipJoins([a, b, c]);
    b.reset();
    await delay(100);
    c.end();
    expect(await a.next()).toBe('LEAVE c lost');
    expect(await a.sync()).toEqual([]);
  });

  test('disconnect-on-unknown: an unknown command closes the connection', async () => {
    const peer = await connect(await serve(disconnectOnUnknown.start));
    peer.send('HELP\n');
    expect(await peer.closed()).toBeDefined();
    expect(peer.lines).toEqual([HELLO]);
  });

  test('duplicate-names: two members get the same name', async () => {
    const port = await serve(duplicateNames.start);
    await members(port, 'twin');
    await members(port, 'twin');
  });

  test('close-on-long-line: an over-long line closes the connection', async () => {
    const peer = await connect(await serve(closeOnLongLine.start));
    peer.send('MSG ' + 'y'.repeat(2000) + '\n');
    expect(await peer.closed()).toBeDefined();
    expect(peer.lines).toEqual([HELLO]);
  });

  test('no-join: the members already there hear nothing', async () => {
    const [a] = await members(await serve(noJoin.start), 'a', 'b');
    expect(await a.sync()).toEqual([]);
  });
});

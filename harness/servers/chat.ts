import net from 'node:net';
import { LineReader, type LineSource } from './line-reader';
import { listenTcp } from './listen';
import type { ListenOptions, RunningServer } from './running-server';

export interface ChatOptions extends ListenOptions {
  /** Longest client line in bytes, terminator excluded (§2.4). */
  maxLine?: number;
  /** Unsent bytes a connection may have queued before it is dropped as a slow consumer (§9). */
  maxQueueBytes?: number;
}

export type LeaveReason = 'quit' | 'lost' | 'slow-consumer';

/** One accepted connection, registered or not. */
export interface Client {
  readonly socket: net.Socket;
  readonly reader: LineSource;
}

const DEFAULT_MAX_LINE = 1024;
const DEFAULT_MAX_QUEUE_BYTES = 1024 * 1024;
const SP = 0x20;
const SPACE = Buffer.from(' ');
const NEWLINE = Buffer.from('\n');
const NAME = /^[A-Za-z0-9_-]{1,32}$/;
const HELLO = encodeLine('HELLO sockspec-chat 1');
const BYE = encodeLine('BYE');

/** Joins fields with single spaces and appends LF; text fields stay bytes so they are relayed unchanged (§2.5). */
export function encodeLine(...fields: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [];
  fields.forEach((field, i) => {
    if (i > 0) parts.push(SPACE);
    parts.push(typeof field === 'string' ? Buffer.from(field, 'latin1') : field);
  });
  parts.push(NEWLINE);
  return Buffer.concat(parts);
}

function errorLine(code: string, description: string): Buffer {
  return encodeLine('ERROR', code, description);
}

/**
 * The reference server for docs/chat-protocol.md (cited here as §N).
 *
 * Everything runs on the one event loop and a broadcast writes to every recipient in a single
 * synchronous pass, so all members see one order (§6) without locks or sequence numbers.
 *
 * The protected methods are seams for the deliberately broken servers in fixtures/mutants/chat
 * (test-only); the conforming server is this class as is, started by `startChat`.
 */
export class ChatServer {
  /** Current members in join order, each with its name. */
  protected readonly members = new Map<Client, string>();
  private readonly maxLine: number;
  private readonly maxQueueBytes: number;

  constructor(private readonly options: ChatOptions = {}) {
    this.maxLine = options.maxLine ?? DEFAULT_MAX_LINE;
    this.maxQueueBytes = options.maxQueueBytes ?? DEFAULT_MAX_QUEUE_BYTES;
  }

  start(): Promise<RunningServer> {
    // allowHalfOpen false: a client's FIN is answered with ours, and QUIT's end() is a plain FIN.
    const server = net.createServer({ allowHalfOpen: false, noDelay: true }, (socket) => this.accept(socket));
    return listenTcp(server, this.options);
  }

  /** Writes `line` to every member but `except`, then drops those it pushed past the queue bound. */
  protected broadcast(line: Buffer, except?: Client): void {
    const overflowing: Client[] = [];
    for (const member of this.recipients(except)) if (!this.deliver(member, line)) overflowing.push(member);
    // Dropping announces LEAVE, itself a broadcast: only after this event reached everyone (§6.1).
    for (const member of overflowing) this.drop(member);
  }

  protected recipients(except?: Client): Client[] {
    return [...this.members.keys()].filter((member) => member !== except);
  }

  /** One recipient's share of a broadcast; false when that member is now over its queue bound. */
  protected deliver(member: Client, line: Buffer): boolean {
    return this.write(member, line);
  }

  protected createReader(): LineSource {
    return new LineReader(this.maxLine);
  }

  protected announceJoin(joiner: Client, line: Buffer): void {
    this.broadcast(line, joiner);
  }

  protected relay(sender: Client, line: Buffer): void {
    this.broadcast(line, sender);
  }

  protected isTaken(name: string): boolean {
    return [...this.members.values()].includes(name);
  }

  protected unknownCommand(client: Client): void {
    this.reply(client, errorLine('unknown-command', 'commands are NICK, MSG, PING and QUIT'));
  }

  protected lineTooLong(client: Client): void {
    this.reply(client, errorLine('line-too-long', `lines are limited to ${this.maxLine} bytes`));
  }

  /** 'close' rather than 'end', because a reset connection emits no 'end' yet still leaves (§8.2). */
  protected watchDeparture(client: Client): void {
    client.socket.on('close', () => this.depart(client, 'lost'));
  }

  /** Safe to call twice: a connection that QUIT or was dropped still emits 'close' afterwards. */
  protected depart(client: Client, reason: LeaveReason): void {
    const name = this.members.get(client);
    if (name === undefined) return;
    this.members.delete(client);
    this.broadcast(encodeLine('LEAVE', name, reason));
  }

  protected accept(socket: net.Socket): void {
    const client: Client = { socket, reader: this.createReader() };
    // Resets arrive as errors; 'close' follows and handles the departure.
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => this.receive(client, chunk));
    this.watchDeparture(client);
    this.reply(client, HELLO);
  }

  protected receive(client: Client, chunk: Buffer): void {
    for (const event of client.reader.push(chunk)) {
      // After QUIT or a drop the rest of the input is ignored (§8.1).
      if (!client.socket.writable) return;
      if (event.kind === 'too-long') this.lineTooLong(client);
      else this.execute(client, event.line);
    }
  }

  protected execute(client: Client, line: Buffer): void {
    if (line.length === 0) return;
    const sp = line.indexOf(SP);
    const command = line.toString('latin1', 0, sp === -1 ? line.length : sp);
    const argument = sp === -1 ? undefined : line.subarray(sp + 1);
    switch (command) {
      case 'NICK':
        return this.register(client, argument?.toString('latin1') ?? '');
      case 'MSG':
        return this.message(client, argument ?? Buffer.alloc(0));
      case 'QUIT':
        return this.quit(client, argument);
      case 'PING':
        return this.pong(client, argument);
      default:
        return this.unknownCommand(client);
    }
  }

  private register(client: Client, name: string): void {
    const problem = this.registrationProblem(client, name);
    if (problem) return this.reply(client, problem);
    const others = this.memberNames();
    this.members.set(client, name);
    // The joiner's own lines are written in the same synchronous pass as the JOIN, so nothing can
    // reach it before its WELCOME (§4.5) nor reach others between the two.
    this.announceJoin(client, encodeLine('JOIN', name));
    this.reply(client, encodeLine('WELCOME', name));
    this.reply(client, encodeLine('MEMBERS', String(others.length), ...others));
  }

  /** The names MEMBERS lists for a newcomer: the current members, in join order (§4.3, §6.4). */
  protected memberNames(): string[] {
    return [...this.members.values()];
  }

  /** Checked in the reverse of §4.2's order: membership, then the name's form, then whether it is taken. */
  protected registrationProblem(client: Client, name: string): Buffer | undefined {
    if (this.members.has(client)) return errorLine('already-registered', 'NICK works once per connection');
    if (!this.isValidName(name)) return errorLine('bad-name', 'names are 1 to 32 of A-Z a-z 0-9 _ -');
    if (this.isTaken(name)) return errorLine('name-taken', `${name} is in use`);
    return undefined;
  }

  protected isValidName(name: string): boolean {
    return NAME.test(name);
  }

  protected message(client: Client, text: Buffer): void {
    const sender = this.members.get(client);
    if (sender === undefined) return this.reply(client, errorLine('not-registered', 'send NICK first'));
    this.relay(client, encodeLine('MSG', sender, text));
  }

  protected pong(client: Client, token: Buffer | undefined): void {
    this.reply(client, token === undefined ? encodeLine('PONG') : encodeLine('PONG', token));
  }

  /** The reason is not relayed (§8.1). */
  protected quit(client: Client, _reason?: Buffer): void {
    this.reply(client, BYE);
    client.socket.end();
    this.depart(client, 'quit');
  }

  protected reply(client: Client, line: Buffer): void {
    if (!this.write(client, line)) this.drop(client);
  }

  /** Queues `line` on the socket; false when its unsent backlog is now over the bound (§9.1). */
  private write(client: Client, line: Buffer): boolean {
    const { socket } = client;
    if (!socket.writable) return true;
    socket.write(line);
    return socket.writableLength <= this.maxQueueBytes;
  }

  /**
   * Resets rather than ends: an orderly close would first flush the whole backlog to a reader that
   * does not read. For the same reason no `ERROR slow-consumer` is attempted: it would sit behind
   * the backlog and be discarded with it (§9.2 makes it optional).
   */
  protected drop(client: Client): void {
    client.socket.resetAndDestroy();
    this.depart(client, 'slow-consumer');
  }
}

export function startChat(options: ChatOptions = {}): Promise<RunningServer> {
  return new ChatServer(options).start();
}

import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { until } from './until';
import type { JoinLine, RoomJoinResult, RoomJoinTask, RoomTalkResult, RoomTalkTask } from './protocol';

/*
 * A load driver's share of a chat room (driver-main.ts runs these tasks): members that join by
 * the profile's exchange, stay connected, send the messages whose turn it is and time every other
 * member's message from when it was due to when it arrived. Message 0's due time comes as a
 * reading of process.hrtime, the machine's monotonic clock, which every driver process shares.
 */

/** What a message's text is, and how a receiver finds it in whatever line the server wraps it in. */
const TOKEN = /fanout-(\d+)/;

interface Member {
  /** Its number in the whole room: it sends the messages m with m % members === number. */
  number: number;
  socket: net.Socket;
  /** What is done with each complete line it receives (LF removed); none until it takes part. */
  onLine?: (line: string) => void;
}

const room: Member[] = [];

/** Splits what arrives into lines for the member's current handler; the last piece waits for its LF. */
function member(number: number, socket: net.Socket): Member {
  const m: Member = { number, socket };
  let rest = '';
  socket.setEncoding('latin1');
  socket.on('data', (data: string) => {
    const text = rest + data;
    let from = 0;
    for (let lf = text.indexOf('\n'); lf !== -1; lf = text.indexOf('\n', from)) {
      m.onLine?.(text.slice(from, lf));
      from = lf + 1;
    }
    rest = text.slice(from);
  });
  socket.on('error', () => undefined);
  return m;
}

export async function joinRoom(task: RoomJoinTask): Promise<RoomJoinResult> {
  for (const [i, script] of task.scripts.entries()) {
    const problem = await joinOne(task, task.first + i, script);
    if (problem) return { joined: i, problem: `member ${task.first + i + 1}: ${problem}` };
  }
  return { joined: task.scripts.length };
}

/** Connects one member and goes through its join exchange; the problem, or undefined once it is in the room. */
function joinOne(task: RoomJoinTask, number: number, script: JoinLine[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: task.host, port: task.port });
    socket.setNoDelay(true);
    const m = member(number, socket);
    let step = 0;
    const settle = (problem: string | undefined) => {
      clearTimeout(timer);
      socket.removeListener('close', onClose);
      if (problem === undefined) room.push(m);
      else socket.destroy();
      m.onLine = undefined;
      resolve(problem);
    };
    const timer = setTimeout(() => settle(`no answer within ${task.timeoutMs} ms at line ${step + 1} of the join exchange`), task.timeoutMs);
    const onClose = () => settle(`the server closed the connection at line ${step + 1} of the join exchange`);
    socket.once('close', onClose);
    socket.once('error', (err) => settle(err.message));
    // Writes the lines to send up to the next line to expect; settles when the exchange is done.
    const advance = () => {
      for (; step < script.length; step++) {
        const line = script[step];
        if (!('send' in line)) return;
        socket.write(`${line.send}\n`);
      }
      settle(undefined);
    };
    m.onLine = (line) => {
      const wanted = script[step] as { expect: string };
      if (!new RegExp(`^(?:${wanted.expect})$`).test(line)) return settle(`expected a line matching /${wanted.expect}/, received ${JSON.stringify(line.slice(0, 120))}`);
      step++;
      advance();
    };
    socket.once('connect', advance);
  });
}

export function talk(task: RoomTalkTask): Promise<RoomTalkResult> {
  // Message 0's due time on this process's clock, from the machine's.
  const start = performance.now() + Number(task.startNs - process.hrtime.bigint()) / 1e6;
  const due = (m: number) => start + m * task.intervalMs;
  const sent = (number: number) => Math.floor(task.messages / task.members) + (number < task.messages % task.members ? 1 : 0);
  let expected = 0;
  for (const m of room) expected += task.messages - sent(m.number);
  const samples = new Float64Array(expected);
  const result: RoomTalkResult = { samples, missing: 0, extra: 0 };
  let got = 0;
  return new Promise((resolve) => {
    const finish = () => {
      clearTimeout(deadline);
      for (const m of room) m.onLine = undefined;
      resolve({ ...result, samples: samples.subarray(0, got), missing: expected - got });
    };
    const deadline = setTimeout(finish, Math.max(0, due(task.messages - 1) - performance.now()) + task.timeoutMs);
    for (const m of room) {
      const seen = new Uint8Array(task.messages);
      m.onLine = (line) => {
        const token = TOKEN.exec(line);
        if (!token) return;
        const n = Number(token[1]);
        if (n >= task.messages || n % task.members === m.number || seen[n]) {
          result.extra++;
          result.firstProblem ??= `member ${m.number + 1} received ${JSON.stringify(line.slice(0, 120))} ${seen[n] ? 'a second time' : n < task.messages ? 'though it sent it' : 'which nobody sent'}`;
          return;
        }
        seen[n] = 1;
        samples[got++] = performance.now() - due(n);
        if (got === expected) finish();
      };
      m.socket.once('close', () => (result.firstProblem ??= `the server closed member ${m.number + 1}'s connection`));
    }
    if (expected === 0) finish();
    void send(task, due);
  });
}

/** Each member's messages at their due times, in the order they come due. */
async function send(task: RoomTalkTask, due: (m: number) => number): Promise<void> {
  const byNumber = new Map(room.map((m) => [m.number, m]));
  for (let n = 0; n < task.messages; n++) {
    const sender = byNumber.get(n % task.members);
    if (!sender) continue;
    await until(due(n));
    sender.socket.write(`${task.say}fanout-${n}\n`);
  }
}

/** Closes every member's connection (with RST, as the ramp's release does). */
export function leaveRoom(): void {
  for (const m of room.splice(0)) m.socket.resetAndDestroy();
}

import net from 'node:net';
import { listenTcp } from '../harness/servers/listen';
import type { RunningServer } from '../harness/servers/running-server';
import type { CaseOutcome } from '../harness/run/run-case';
import { runSteps } from './support/run-steps';
import { loadProfile, profileFile } from '../harness/suite/profile';
import { SuiteUsageError } from '../harness/verdict/failure';

/**
 * The multi-client line steps (send-lines, expect-lines, collect-lines, expect-same-order,
 * expect-fifo, barrier, join) against a scripted server: connection k is sent scripts[k] and
 * whatever it writes is kept. The failure messages are what a suite author reads, so they are
 * checked word for word where it matters.
 */
let server: RunningServer | undefined;
let written: string[] = [];

/** A script given as several parts is written a part every SCRIPT_GAP ms. */
const SCRIPT_GAP = 200;

async function scripted(...scripts: (string | string[])[]): Promise<number> {
  let next = 0;
  written = [];
  const tcp = net.createServer((socket) => {
    const index = next++;
    written[index] = '';
    socket.on('error', () => {});
    socket.on('data', (chunk) => (written[index] += chunk.toString()));
    [scripts[index] ?? ''].flat().forEach((part, i) => setTimeout(() => socket.destroyed || socket.write(part), i * SCRIPT_GAP));
  });
  server = await listenTcp(tcp);
  return server.port;
}

afterEach(async () => {
  await server?.close();
  server = undefined;
});

const run = (port: number, steps: unknown[]): Promise<CaseOutcome> => runSteps('chat', port, steps);

const summary = (outcome: CaseOutcome) => outcome.failure?.summary;
const details = (outcome: CaseOutcome) => outcome.failure?.details.join('\n') ?? '';

describe('send-lines', () => {
  test('fills {{i}} and {{conn}}, pads to length, writes the lines in order', async () => {
    const port = await scripted('');
    const outcome = await run(port, [
      { connect: { conn: 'a' } },
      { 'send-lines': { conn: 'a', line: 'L{{i}} {{conn}}', times: 3 } },
      { 'send-lines': { conn: 'a', line: 'P', length: 4, fill: '.' } },
      { sleep: 50 },
    ]);
    expect(outcome.verdict).toBe('pass');
    expect(written[0]).toBe('L0 a\nL1 a\nL2 a\nP...\n');
  });

  test('{{client}} outside a parallel step is a suite mistake', async () => {
    const port = await scripted('');
    const outcome = await run(port, [{ connect: {} }, { 'send-lines': { line: 'NICK m{{client}}' } }]);
    expect(outcome.suiteError).toBeInstanceOf(SuiteUsageError);
    expect(outcome.suiteError?.message).toContain('{{client}} is the client number of a parallel step');
  });
});

describe('expect-lines', () => {
  test('names the first differing line, with what came and what was expected', async () => {
    const port = await scripted('MSG a one\nMSG two\n');
    const outcome = await run(port, [{ connect: { conn: 'b' } }, { 'expect-lines': { conn: 'b', lines: ['MSG a one', 'MSG a two'] } }]);
    expect(summary(outcome)).toBe('line 2 on b differs: expected "MSG a two", received "MSG two"');
    expect(details(outcome)).toContain('>   2  "MSG two"');
  });

  test('with until, a line before the marker that was not expected fails at once', async () => {
    const port = await scripted('JOIN x\nMSG a echo\nPONG 1\n');
    const outcome = await run(port, [{ connect: {} }, { 'expect-lines': { skip: 'JOIN .*', until: 'PONG 1', lines: [] } }]);
    expect(summary(outcome)).toBe('expected "PONG 1" after 0 lines, received another line: "MSG a echo"');
    expect(details(outcome)).toContain('1 line matching skip passed over');
  });

  test('patterns match whole lines; a stall says how many lines came', async () => {
    const port = await scripted('ERROR line-too-long lines are limited\npartial');
    const outcome = await run(port, [{ connect: {} }, { 'expect-lines': { patterns: ['ERROR line-too-long( .*)?', 'PONG'] } }]);
    expect(summary(outcome)).toBe('expected 2 lines; received 1, then nothing more came for 300 ms');
    expect(details(outcome)).toContain('|partial|');
  });
});

describe('collect-lines', () => {
  test('refuses a line that matches neither match nor skip', async () => {
    const port = await scripted('JOIN x\nMSG a 1\nERROR unknown-command\n');
    const outcome = await run(port, [{ connect: {} }, { 'collect-lines': { as: 'got', match: 'MSG .*', skip: 'JOIN .*', count: 2 } }]);
    expect(summary(outcome)).toBe('unexpected line (capture got): "ERROR unknown-command" matches neither /MSG .*/ nor skip /JOIN .*/');
  });

  test('with unique, a repeated line fails', async () => {
    const port = await scripted('MSG a 1\nMSG b 2\nMSG a 1\n');
    const outcome = await run(port, [{ connect: {} }, { 'collect-lines': { as: 'got', count: 3, unique: true } }]);
    expect(summary(outcome)).toBe('"MSG a 1" arrived twice (capture got): as collected line 1 and again after line 2');
  });
});

describe('expect-same-order and expect-fifo', () => {
  test('two captures that disagree: the first differing common line, at both', async () => {
    const port = await scripted('x\nonly-a\ny\nz\n', 'y\nx\nz\n');
    const outcome = await run(port, [
      { connect: { conn: 'a' } },
      { connect: { conn: 'b' } },
      { 'collect-lines': { conn: 'a', as: 'a', count: 4 } },
      { 'collect-lines': { conn: 'b', as: 'b', count: 3 } },
      { 'expect-same-order': { captures: ['a', 'b'] } },
    ]);
    expect(summary(outcome)).toBe('a and b disagree on the order of the 3 lines both received: common line 1 is "x" at a but "y" at b');
  });

  test('a key whose numbers go back is out of order', async () => {
    const port = await scripted('MSG m1 1.0\nMSG m2 2.0\nMSG m1 1.2\nMSG m1 1.1\n');
    const outcome = await run(port, [
      { connect: {} },
      { 'collect-lines': { as: 'heard', count: 4 } },
      { 'expect-fifo': { captures: ['heard'], pattern: 'MSG (?<key>m\\d+) \\d+\\.(?<seq>\\d+)' } },
    ]);
    expect(summary(outcome)).toBe('heard: lines of "m1" out of order: "MSG m1 1.1" (line 4) came after "MSG m1 1.2" (line 3)');
  });

  test('captures made inside parallel are compared as a family after it', async () => {
    const port = await scripted('p\nq\n', 'p\nq\n', 'q\np\n');
    const outcome = await run(port, [
      { parallel: { clients: 3, steps: [{ connect: {} }, { 'collect-lines': { as: 'seen', count: 2 } }] } },
      { 'expect-same-order': { captures: ['seen'] } },
    ]);
    // Which client got which connection depends on connect order; some pair disagrees either way.
    expect(summary(outcome)).toMatch(/^seen#\d and seen#\d disagree on the order of the 2 lines both received/);
  });
});

describe('barrier', () => {
  test('clients that fail before a barrier are reported with their own failure', async () => {
    const port = await scripted('', '', '');
    const outcome = await run(port, [
      {
        parallel: {
          clients: 3,
          steps: [{ connect: {} }, { 'expect-lines': { lines: ['never'], timeout: 50 } }, { barrier: { name: 'b', clients: 3 } }],
        },
      },
    ]);
    expect(summary(outcome)).toMatch(/^3 of 3 clients failed; client 1: expected 1 line; received 0/);
  });

  test('a barrier some clients skip times out with the missing ones listed', async () => {
    const port = await scripted();
    const outcome = await run(port, [{ parallel: { clients: 2, steps: [{ barrier: { name: 'b', clients: 3, timeout: 50 } }] } }]);
    expect(summary(outcome)).toContain('barrier b: 2 of 3 clients arrived in time');
    expect(details(outcome)).toContain('missing clients: 3');
    expect(details(outcome)).toContain('the parallel step has 2 clients: clients 3 to 3 do not exist');
  });

  /** The sends and receives of the case, in order: which client waited for which. */
  const traffic = (outcome: CaseOutcome) =>
    outcome.transcript.events.filter((e) => e.kind === 'connected' || e.kind === 'sent' || e.kind === 'received').map((e) => `${e.kind} ${e.conn}`);

  test('a parallel step repeated waits at a fresh barrier each round', async () => {
    const port = await scripted();
    const outcome = await run(port, [
      {
        repeat: {
          times: 2,
          steps: [{ parallel: { clients: 2, stagger: SCRIPT_GAP, steps: [{ connect: {} }, { barrier: { name: 'b', clients: 2 } }, { 'send-lines': { line: 'r' } }, { sleep: 20 }] } }],
        },
      },
    ]);
    expect(outcome.failure?.summary).toBeUndefined();
    // Client 1 starts each round SCRIPT_GAP before client 2 and must not send before client 2 has connected.
    const round = ['connected', 'connected', 'sent', 'sent'];
    expect(traffic(outcome).map((e) => e.split(' ')[0])).toEqual([...round, ...round]);
  });

  test('a barrier repeated inside a parallel step waits for every client each round', async () => {
    // Whichever client gets the second connection reads its second "go" SCRIPT_GAP later.
    const port = await scripted('go\ngo\n', ['go\n', 'go\n']);
    const outcome = await run(port, [
      {
        parallel: {
          clients: 2,
          steps: [
            { connect: {} },
            { repeat: { times: 2, steps: [{ expect: { line: 'go', timeout: 1000 } }, { barrier: { name: 'b', clients: 2 } }, { 'send-lines': { line: 'r' } }] } },
            { sleep: 20 },
          ],
        },
      },
    ]);
    expect(outcome.failure?.summary).toBeUndefined();
    // Nobody sends its second line before the slow client has read its second "go".
    expect(traffic(outcome).slice(-2).map((e) => e.split(' ')[0])).toEqual(['sent', 'sent']);
  });

  test('two parallel steps may use the same barrier name with different client counts', async () => {
    const port = await scripted();
    const outcome = await run(port, [
      { parallel: { clients: 3, steps: [{ barrier: { name: 'b', clients: 3 } }] } },
      { parallel: { clients: 2, steps: [{ barrier: { name: 'b', clients: 2 } }] } },
    ]);
    expect(outcome.failure?.summary).toBeUndefined();
  });
});

describe('profiles and join', () => {
  test('the shipped profiles load', () => {
    expect(loadProfile('sockspec-chat').vars.message).toBe('MSG \\S+ ');
    expect(loadProfile('ncat-chat').join).toHaveLength(2);
    expect(profileFile('./mine.profile.yaml')).toMatch(/mine\.profile\.yaml$/);
  });

  test('an unknown profile name lists the shipped ones', () => {
    expect(() => loadProfile('nope')).toThrow('no chat profile "nope" (profiles: ncat-chat, sockspec-chat; or a .profile.yaml file)');
  });

  test('join runs the profile exchange: NICK with the connection name', async () => {
    const port = await scripted('HELLO sockspec-chat 1\nWELCOME alice\nMEMBERS 0\n');
    const outcome = await run(port, [{ connect: { conn: 'alice' } }, { join: { conn: 'alice' } }, { sleep: 30 }]);
    expect(outcome.verdict).toBe('pass');
    expect(written[0]).toBe('NICK alice\n');
  });

  test('a join line that does not match says which line of the exchange', async () => {
    const port = await scripted('HELLO sockspec-chat 1\nERROR name-taken\n');
    const outcome = await run(port, [{ connect: { conn: 'alice' } }, { join: { conn: 'alice' } }]);
    expect(summary(outcome)).toBe('join exchange of profile sockspec-chat, line 3: expected a line matching /WELCOME alice/, received "ERROR name-taken"');
  });
});

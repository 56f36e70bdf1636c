import path from 'node:path';
import { expectFailedCases, failedCases, passedCases, ROOT, sockspec, tempDir, type CliResult } from './support/cli';
import { describeWithPrograms } from './support/tools';
import { PROFILE_ENV } from '../harness/steps/profile';

const BIN = path.join(ROOT, 'bin', 'sockspec.js');

/** `sockspec run` with a chat-relay profile chosen (SOCKSPEC_PROFILE until the CLI has --profile). */
async function runRelaySuite(profile: string, cmd: string, extra: string[] = []): Promise<CliResult> {
  const reports = tempDir();
  const before = process.env[PROFILE_ENV];
  process.env[PROFILE_ENV] = profile;
  try {
    return await sockspec(['run', '--suite', 'chat-relay', '--cmd', cmd, '--reports', reports.path, ...extra]);
  } finally {
    if (before === undefined) delete process.env[PROFILE_ENV];
    else process.env[PROFILE_ENV] = before;
    reports.remove();
  }
}

const RELAY_CASES = ['relay-fan-out', 'relay-order', 'relay-split-line', 'relay-lines-in-one-write', 'relay-leave-on-fin', 'relay-leave-on-reset'];
const NCAT = 'ncat --chat -l 127.0.0.1 {port}';

/**
 * Each case against a fresh ncat. ncat --chat quits ("getpeername ... Transport endpoint is not
 * connected. QUITTING.") when a client connects while another client's close is still pending:
 * it asks every connection for its address to announce the newcomer. One case's teardown and the
 * next case's first connect meet exactly there, so in one shared ncat a random later case would
 * see ECONNREFUSED instead of its verdict.
 */
async function eachCaseOwnNcat(profile: string): Promise<{ failed: string[]; output: string }> {
  const failed: string[] = [];
  let output = '';
  for (const id of RELAY_CASES) {
    const result = await runRelaySuite(profile, NCAT, ['--filter', `${id}:`]);
    output += result.stdout;
    expect(passedCases(result.stdout, 'chat-relay').length + failedCases(result.stdout, 'chat-relay').length).toBe(1);
    failed.push(...failedCases(result.stdout, 'chat-relay'));
  }
  return { failed: failed.sort(), output };
}

/** The chat-relay suite against a real third-party relay: the verdicts must be what it really does. */
describeWithPrograms(['ncat'], 'ncat --chat', () => {
  // ncat relays each read() it makes as "<userN> " + the bytes read, from one select() loop that
  // writes every read to all the others before the next: fan-out, one order for all and per-sender
  // order hold, and FIN and reset are both announced. It does not frame lines, so a line written
  // one byte at a time arrives as 26 prefixed pieces on one line, and the second of two lines in
  // one write arrives without a prefix: the two framing cases fail, every time.
  test('keeps fan-out, order and leave announcements; fails both framing cases (it relays per read)', async () => {
    const { failed, output } = await eachCaseOwnNcat('ncat-chat');
    expect(failed).toEqual(['relay-lines-in-one-write', 'relay-split-line']);
    expect(output).toMatch(/received "<user\d+> o<user\d+> n<user\d+> e/);
    expect(output).toContain('received "line 1 of a pair"');
  }, 60_000);

  test('with the default profile (the sockspec protocol) ncat fails at the join exchange', async () => {
    const result = await runRelaySuite('sockspec-chat', NCAT, ['--filter', 'relay-fan-out:']);
    expectFailedCases(result, 'chat-relay', ['relay-fan-out']);
    expect(result.stdout).toMatch(/join exchange of profile sockspec-chat, line 1: expected a line matching \/HELLO sockspec-chat 1\/, received "<announce> /);
  }, 60_000);
});

describe('the reference chat server as a command', () => {
  test('passes every chat-relay case with the default profile', async () => {
    const result = await runRelaySuite('sockspec-chat', `${process.execPath} ${BIN} serve chat --port {port}`);
    expectFailedCases(result, 'chat-relay', []);
    expect(result.code).toBe(0);
  }, 60_000);
});

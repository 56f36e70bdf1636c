import path from 'node:path';
import { expectFailedCases, failedCases, passedCases, ROOT, sockspec, tempDir, type CliResult } from './support/cli';
import { describeWithPrograms } from './support/tools';
import { ENV } from '../harness/jest/settings';

const BIN = path.join(ROOT, 'bin', 'sockspec.js');

/** `sockspec run` of the chat-relay suite with a profile chosen. */
async function runRelaySuite(profile: string, cmd: string, extra: string[] = []): Promise<CliResult> {
  const reports = tempDir();
  try {
    return await sockspec(['run', '--suite', 'chat-relay', '--profile', profile, '--cmd', cmd, '--reports', reports.path, ...extra]);
  } finally {
    reports.remove();
  }
}

/** The same with SOCKSPEC_PROFILE set in the environment sockspec starts with. */
async function withProfileVariable<T>(value: string, run: () => Promise<T>): Promise<T> {
  const before = process.env[ENV.profile];
  process.env[ENV.profile] = value;
  try {
    return await run();
  } finally {
    if (before === undefined) delete process.env[ENV.profile];
    else process.env[ENV.profile] = before;
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
  // one byte at a time arrives as prefixed pieces on one line (one per read ncat made: mostly one
  // byte, sometimes two), and the second of two lines in one write arrives without a prefix: the
  // two framing cases fail, every time.
  test('keeps fan-out, order and leave announcements; fails both framing cases (it relays per read)', async () => {
    const { failed, output } = await eachCaseOwnNcat('ncat-chat');
    expect(failed).toEqual(['relay-lines-in-one-write', 'relay-split-line']);
    expect(output).toMatch(/received "<user\d+> on?<user\d+> [a-z ]{1,2}<user\d+> /);
    expect(output).toContain('"line 1 of a pair" does not match');
  }, 60_000);

  test('with the default profile (the sockspec protocol) ncat fails at the join exchange', async () => {
    const result = await runRelaySuite('sockspec-chat', NCAT, ['--filter', 'relay-fan-out:']);
    expectFailedCases(result, 'chat-relay', ['relay-fan-out']);
    expect(result.stdout).toMatch(/join exchange of profile sockspec-chat, line 1: expected a line matching \/HELLO sockspec-chat 1\/, received "<announce> /);
  }, 60_000);
});

describe('sockspec run --profile', () => {
  const builtinRelay = (args: string[]) => sockspec(['run', '--suite', 'chat-relay', '--filter', 'relay-fan-out:', '--reports', reports.path, ...args]);
  let reports: ReturnType<typeof tempDir>;
  beforeEach(() => (reports = tempDir()));
  afterEach(() => reports.remove());

  test('reaches the suite files: the builtin server fails the join exchange of the ncat profile', async () => {
    const result = await builtinRelay(['--profile', 'ncat-chat']);
    expectFailedCases(result, 'chat-relay', ['relay-fan-out']);
    expect(result.stdout).toContain('join exchange of profile ncat-chat, line 1: expected a line matching');
  }, 60_000);

  test('wins over SOCKSPEC_PROFILE, which still chooses the profile without it', async () => {
    const flagged = await withProfileVariable('ncat-chat', () => builtinRelay(['--profile', 'sockspec-chat']));
    expectFailedCases(flagged, 'chat-relay', []);
    expect(flagged.code).toBe(0);
    const variable = await withProfileVariable('ncat-chat', () => builtinRelay([]));
    expectFailedCases(variable, 'chat-relay', ['relay-fan-out']);
  }, 60_000);

  test.each([
    [['--profile', 'nope'], 'error: --profile nope: no chat profile "nope" (profiles: ncat-chat, sockspec-chat; or a .profile.yaml file)\n'],
    [['--profile', 'missing.profile.yaml'], /^error: --profile missing\.profile\.yaml: missing\.profile\.yaml:1:1: cannot read the profile: ENOENT: no such file or directory, open '.*'\n$/],
  ])('an unknown profile %p is a usage error before anything runs', async (args, message) => {
    const result = await builtinRelay(args);
    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(2);
  });

  test('a bad SOCKSPEC_PROFILE is a usage error too', async () => {
    const result = await withProfileVariable('nope', () => builtinRelay([]));
    expect(result.stderr).toBe('error: SOCKSPEC_PROFILE=nope: no chat profile "nope" (profiles: ncat-chat, sockspec-chat; or a .profile.yaml file)\n');
    expect(result.code).toBe(2);
  });

  test('is in sockspec run --help', async () => {
    expect((await sockspec(['run', '--help'])).stdout).toMatch(/--profile NAME\|FILE +the chat profile of the chat-relay and capacity-chat suites/);
  });
});

describe('the reference chat server as a command', () => {
  test('passes every chat-relay case with the default profile', async () => {
    const result = await runRelaySuite('sockspec-chat', `${process.execPath} ${BIN} serve chat --port {port}`);
    expectFailedCases(result, 'chat-relay', []);
    expect(result.code).toBe(0);
  }, 60_000);
});

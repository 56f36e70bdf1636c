import { failedCases, passedCases, sockspec, tempDir } from './support/cli';
import { caseTimeouts } from '../harness/run/run-case';
import { bundledSuite } from './support/run-suite';

/**
 * A target declares its idle timeout with --idle-timeout; the timeouts suite's idle cases run only
 * then, and hold the server to the time declared. The server is the reference echo as a command,
 * which closes connections idle for 2 s.
 */
const REFERENCE_ECHO = 'node bin/sockspec.js serve echo-tcp --port {port}';
const IDLE_CASES = ['idle-timeout', 'peer-vanishes'];

describe('sockspec run --idle-timeout', () => {
  let reports: ReturnType<typeof tempDir>;
  beforeEach(() => (reports = tempDir()));
  afterEach(() => reports.remove());

  const run = (...extra: string[]) =>
    sockspec(['run', '--suite', 'timeouts', '--filter', 'idle-timeout|peer-vanishes', '--cmd', REFERENCE_ECHO, '--reports', reports.path, ...extra]);

  test('without it the idle cases are skipped, with the reason', async () => {
    const result = await run();
    expect(result.code).toBe(0);
    for (const id of IDLE_CASES) expect(result.stdout).toMatch(new RegExp(`^- timeouts/${id} .*\\[skipped: needs the idle timeout the server declares \\(--idle-timeout on the command line, idleTimeoutMs in sockspec\\.config\\.json, idleTimeout in a targets file\\)\\]`, 'm'));
  }, 60_000);

  test('the time the server keeps passes', async () => {
    const result = await run('--idle-timeout', '2s');
    expect(passedCases(result.stdout, 'timeouts')).toEqual(IDLE_CASES);
    expect(result.code).toBe(0);
  }, 60_000);

  test('a server that closes before the time it declares fails both cases, saying when it closed', async () => {
    const result = await run('--idle-timeout', '4000');
    expect(failedCases(result.stdout, 'timeouts')).toEqual(IDLE_CASES);
    expect(result.stdout).toMatch(/the server closed the connection \(FIN\) \d+ ms after the client's last write, before its declared idle timeout of 4000 ms \(allowed: 3975 to 5000 ms\)/);
    expect(result.stdout).toMatch(/the server closed its side of the proxied connection \(FIN\) \d+ ms after the client's last write, before its declared idle timeout of 4000 ms/);
    expect(result.code).toBe(1);
  }, 60_000);

  test('the builtin servers declare their own: the flag is refused there', async () => {
    const result = await sockspec(['run', '--suite', 'timeouts', '--idle-timeout', '5s']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('the builtin servers declare their own (2 s)');
  });

  test('a value that is not a duration is a one-line usage error', async () => {
    const result = await run('--idle-timeout', 'soon');
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('error: --idle-timeout takes a duration such as 30s or 1500ms, not "soon"\n');
  });
});

describe('the deadline of an idle case', () => {
  test('grows by the declared idle timeout, so that a long one (here 45 s) is waited out, not cut off', () => {
    const suite = bundledSuite('timeouts');
    const idle = suite.cases.find((c) => c.id === 'idle-timeout')!;
    const other = suite.cases.find((c) => c.id === 'slow-clients')!;
    expect(caseTimeouts(suite, idle, 45_000).total).toBe(caseTimeouts(suite, idle).total + 45_000);
    expect(caseTimeouts(suite, other, 45_000).total).toBe(caseTimeouts(suite, other).total);
  });
});

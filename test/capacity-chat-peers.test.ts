import { expectFailedCases, passedCases, sockspec, tempDir } from './support/cli';
import { describeWithPrograms } from './support/tools';

/**
 * The capacity-chat suite through the CLI against `ncat --chat` (profile ncat-chat), with the
 * verdicts docs/capacity.md gives it: its relay meets a declared fan-out of 1 s in a room of 100, and as
 * started by default (at most 100 connections) it does not hold a room of 1,000, which fails
 * the info case at the join, not in the relay. The other info cases measure only, and are left
 * to the docs.
 */
describeWithPrograms(['ncat'], 'ncat --chat', () => {
  test('meets fanout-p99=1s in a room of 100, and closes the 101st member of a room of 1,000', async () => {
    const reports = tempDir();
    const result = await sockspec(
      ['run', '--suite', 'capacity-chat', '--profile', 'ncat-chat', '--filter', '(declared-fanout|room-of-1000):', '--cmd', 'ncat --chat -l 127.0.0.1 {port}', '--declare-capacity', 'fanout-p99=1s', '--reports', reports.path],
      { timeoutMs: 110_000 },
    );
    reports.remove();
    expectFailedCases(result, 'capacity-chat', ['room-of-1000']);
    expect(passedCases(result.stdout, 'capacity-chat')).toEqual(['declared-fanout']);
    expect(result.stdout).toMatch(/the room of 1,000 did not fill: member \d+: the server closed the connection at line 1 of the join exchange/);
    // An info case failing does not fail the run.
    expect(result.code).toBe(0);
  }, 120_000);
});

import path from 'node:path';
import { expectFailedCases, failedCases, ROOT, sockspec, tempDir } from './support/cli';
import { describeWithPrograms } from './support/tools';
import { PYTHON } from '../fixtures/mutants/python';

/**
 * The capacity suite's must cases through the CLI against real servers, each declaring what
 * fixtures/mutants/capacity's DECLARED declares (socat: a smaller number of connections, since it
 * forks a process for each, and a p99 of 1 s: its fork per connection took its p99 from 108 ms to
 * 203 ms on a machine loaded past 60), with the verdict each deserves (docs/capacity.md, "What the numbers
 * were here"). The info cases, which measure, are left to `npm run bench` and the docs: they
 * would add a minute per server and decide nothing.
 */
const DECLARE = ['--declare-capacity', 'connections=5000,rate=200,throughput=10MiB,p99=500ms'];
const MUST_CASES = ['--filter', 'declared-'];
const ASYNCIO_ECHO = path.join(ROOT, 'fixtures', 'peers', 'asyncio-echo.py');
const THREADED_ECHO = path.join(ROOT, 'fixtures', 'peers', 'python-echo.py');

async function capacityRun(command: string, declare: string[]) {
  const reports = tempDir();
  const result = await sockspec(['run', '--suite', 'capacity', ...MUST_CASES, '--cmd', command, ...declare, '--reports', reports.path], { timeoutMs: 170_000 });
  reports.remove();
  return result;
}

describeWithPrograms(['python3'], "Python's asyncio and socketserver", () => {
  test('an asyncio echo (one event loop) holds 5,000 connections and meets every declaration', async () => {
    const result = await capacityRun(`${PYTHON} ${ASYNCIO_ECHO} {port}`, DECLARE);
    expectFailedCases(result, 'capacity', []);
    expect(result.code).toBe(0);
  }, 180_000);

  // A thread per connection: once the ramp has reset its connections it serves no one for
  // seconds while their threads die (docs/capacity.md), so the rate case right after it fails.
  // The rest depends on the machine, and either way is its verdict: whether it holds the 5,000 (a
  // thread started per connect: 1,993 held on a loaded CI machine, all of them on a quieter one),
  // whether throughput, next, still finds it wedged (failed after a full ramp, passed after 1,993),
  // and whether it has recovered by the latency case, last.
  test('a threaded socketserver echo wedges after a ramp: the rate case fails, the others as the machine allows', async () => {
    const result = await capacityRun(`${PYTHON} ${THREADED_ECHO} tcp {port}`, DECLARE);
    const failed = failedCases(result.stdout, 'capacity');
    if (!failed.includes('declared-rate')) {
      throw new Error(`failed cases were ${JSON.stringify(failed)}, expected declared-rate among them\n\n${result.stdout}`);
    }
    expect(result.code).toBe(1);
  }, 180_000);
});

describeWithPrograms(['socat'], 'socat', () => {
  // A process per connection, and an accept queue of 5: 200 connections opened at 5,000 per second
  // complete their handshakes in the kernel, and many are never accepted within the 5 s patience.
  // Its PIPE echo deadlocks when the reader falls behind: socat writes 8 KiB into its own pipe once
  // select() finds 4 KiB free, and blocks there with only itself to drain it (docs/capacity.md). The
  // stream case reads as fast as it can, so whether it falls behind is the machine's doing: on a
  // loaded CI machine it did, and the case timed out with the echo stalled. Either way is deserved;
  // a failure must be that stall, not bytes that came back wrong.
  test('socat forking a process per connection does not hold 200 connections opened at once, and meets the rest but for a stalled stream', async () => {
    const result = await capacityRun('socat TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork PIPE', ['--declare-capacity', 'connections=200,rate=50,throughput=10MiB,p99=1s']);
    const failed = failedCases(result.stdout, 'capacity');
    const stalled = /streams did not come back intact: \d+ of \d+ B came back within/.test(result.stdout);
    if (!['["declared-connections"]', '["declared-connections","declared-throughput"]'].includes(JSON.stringify(failed)) || (failed.includes('declared-throughput') && !stalled)) {
      throw new Error(`failed cases were ${JSON.stringify(failed)}, expected declared-connections, and declared-throughput only as a stalled echo\n\n${result.stdout}`);
    }
    expect(result.code).toBe(1);
  }, 180_000);
});

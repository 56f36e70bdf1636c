import path from 'node:path';
import { expectFailedCases, failedCases, ROOT, sockspec, tempDir } from './support/cli';
import { describeWithPrograms } from './support/tools';

const PYTHON_ECHO = path.join(ROOT, 'fixtures', 'peers', 'python-echo.py');

/** The suites against real third-party servers: the verdicts must be what those servers really do. */
describeWithPrograms(['socat'], 'socat', () => {
  // socat's accept backlog is 5, so connect-burst (should) fails every time. Its PIPE echo blocks
  // writing into its own pipe when a full-duplex stream outruns it, so streaming-16m (should) fails
  // in about half the runs: a real race in socat, reported, never failing the run.
  test('socat TCP echo passes every required echo-tcp case; connect-burst fails (backlog 5)', async () => {
    const reports = tempDir();
    const result = await sockspec(['run', '--suite', 'echo-tcp', '--cmd', 'socat TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork PIPE', '--reports', reports.path]);
    reports.remove();
    const streaming = failedCases(result.stdout, 'echo-tcp').includes('streaming-16m') ? ['streaming-16m'] : [];
    expectFailedCases(result, 'echo-tcp', ['connect-burst', ...streaming]);
    expect(result.code).toBe(0);
  }, 60_000);

  test('with --strict the failed should case fails the run', async () => {
    const reports = tempDir();
    const result = await sockspec(['run', '--strict', '--suite', 'echo-tcp', '--filter', 'connect-burst', '--cmd', 'socat TCP-LISTEN:{port},bind=127.0.0.1,reuseaddr,fork PIPE', '--reports', reports.path]);
    reports.remove();
    expect(result.code).toBe(1);
  }, 60_000);
});

describeWithPrograms(['python3'], "Python's socketserver", () => {
  test('its threading TCP echo passes every echo-tcp case', async () => {
    const reports = tempDir();
    const result = await sockspec(['run', '--suite', 'echo-tcp', '--cmd', `python3 ${PYTHON_ECHO} tcp {port}`, '--reports', reports.path]);
    reports.remove();
    expectFailedCases(result, 'echo-tcp', []);
    expect(result.code).toBe(0);
  }, 60_000);

  test('its UDP echo truncates datagrams to max_packet_size (8192): size-65507 fails, showing the sizes', async () => {
    const reports = tempDir();
    const result = await sockspec(['run', '--suite', 'echo-udp', '--cmd', `python3 ${PYTHON_ECHO} udp {port}`, '--reports', reports.path]);
    reports.remove();
    expectFailedCases(result, 'echo-udp', ['size-65507']);
    expect(result.stdout).toContain('expected a 65507 B datagram');
    expect(result.stdout).toContain('received 8192 B');
    expect(result.code).toBe(1);
  }, 60_000);
});

import type { ServerSide } from './server-side';
import { dump } from '../../verdict/bytes';
import { formatBytes } from '../../vocabulary/units';

/** Lines of stderr a failure shows. */
const STDERR_LINES = 10;

/**
 * What a failed step of a client suite says about the client: whether it runs or how it exited,
 * what it printed to stdout (its size and first bytes) and the last lines of its stderr, as a
 * server's output is shown with the server cases that fail.
 */
export function clientState(side: ServerSide): string[] {
  const client = side.client;
  if (!client) return ['the client was not started'];
  const stdout = client.stdout();
  const stderr = client.stderr.lines().slice(-STDERR_LINES);
  return [
    `client: ${client.exitDescription === undefined ? 'still running' : `exited, ${client.exitDescription}`}`,
    stdout.total === 0 ? 'client stdout: nothing' : `client stdout: ${formatBytes(stdout.total)}`,
    ...(stdout.total > 0 ? dump('stdout', 0, stdout.kept.subarray(0, 32), 2) : []),
    ...(stderr.length ? ['client stderr (last lines):', ...stderr.map((line) => `  ${line}`)] : ['client stderr: nothing']),
  ];
}

import { Type } from '@sinclair/typebox';
import { CheckedRule, ConnName, defineStep, onConn } from './define';
import { deadlineFor, toleranceFor } from './context';
import { whole, wireConnection } from './support/wire';
import { DEFAULT_CONN } from './support/scope';
import { acknowledged, msAfter, receiveWindow, remarkable, type WindowFacts } from '../capture/wire-facts';
import { StepFailure } from '../verdict/failure';
import { DescribedDuration, Duration, Size, formatBytes, toBytes } from '../vocabulary/units';

/** How long the server's window must stay closed to count as closed: past a busy moment of a server that reads on (scaled). */
const HOLD = '300ms';
/**
 * How long before each read of the capture (scaled): a decode of a capture holding tens of MiB
 * takes seconds on a busy machine, so one read a second past the window's close decides most runs.
 */
const READ_EVERY = '1s';

/**
 * Flow control as the packets show it: a server that stops reading while its echo backs up lets
 * its kernel close the receive window; one that reads on and buffers without bound keeps
 * acknowledging. The socket API of a client that does not read sees neither.
 */
export const expectWireWindow = defineStep({
  name: 'expect-wire-window',
  summary:
    "From the packet capture: the server's kernel closed its receive window (advertised a zero window) before it had acknowledged more than `within` bytes of ours, " +
    'and kept it closed for `hold`: the server stopped reading while what it had to send backed up. Use after stop-reading and a send larger than `within`. ' +
    'Needs a capture (root and tcpdump, tshark); the case is skipped without.',
  schema: Type.Object(
    {
      ...CheckedRule,
      conn: Type.Optional(ConnName),
      within: Size,
      hold: Type.Optional(DescribedDuration(`how long the window must stay closed (default ${HOLD}; scaled by --time-scale): a server that reads on closes it only for moments`)),
      timeout: Type.Optional(Duration),
    },
    { additionalProperties: false },
  ),
  describe: (p) => `expect on the wire${onConn(p.conn)}: the server closes its receive window within ${formatBytes(toBytes(p.within))} of ours`,
  check(p, where, report) {
    if (where.transportOf(p.conn) !== 'tcp') report('expect-wire-window checks a TCP connection');
    if (toBytes(p.within) === 0) report('within must be more than 0 bytes: a server takes some of our data before its window closes', 'within');
  },
  async run(p, ctx) {
    const name = p.conn ?? DEFAULT_CONN;
    const within = toBytes(p.within);
    const hold = toleranceFor(ctx, p.hold ?? HOLD);
    const deadline = deadlineFor(ctx, p.timeout);
    const origin = ctx.run.capture?.origin ?? 0;
    for (;;) {
      const wire = await wireConnection(ctx, name, READ_EVERY);
      const taken = acknowledged(wire, 'client');
      const window = receiveWindow(wire, 'server');
      if (taken > within) {
        throw new StepFailure(
          `expected the server's kernel to close its receive window on ${name} before it had acknowledged ${formatBytes(within)} of ours; it acknowledged ${taken} bytes (${seen(window, origin)}): ` +
            'the server reads on while what it sends backs up: it holds that without bound (or drops it)',
          remarkable(wire, name, origin),
        );
      }
      // Closed for `hold` as far as the capture shows: until the read, not until now (the decode took a while).
      if (window.closedSince !== undefined && wire.seenUntil - window.closedSince >= hold) return;
      if (Date.now() >= deadline) {
        // A window never seen closed may have closed in a hole; one seen acknowledging too much did not.
        whole(wire, name);
        throw new StepFailure(
          `expected the server's kernel to close its receive window on ${name} and keep it closed for ${hold} ms; by the step's timeout it had acknowledged ${taken} bytes of ours (${seen(window, origin)})`,
          remarkable(wire, name, origin),
        );
      }
    }
  },
});

/** What the server's window did, in words: for a failure message. */
function seen(window: WindowFacts, origin: number): string {
  const last = window.last === undefined ? 'no window advertised after its SYN-ACK' : `its last advertised window ${window.last} bytes`;
  const closed = window.closedSince === undefined ? '' : `, closed since ${msAfter(window.closedSince, origin)}`;
  return `${window.zeroWindows} zero-window advertisement(s), ${last}${closed}`;
}

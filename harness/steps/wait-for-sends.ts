import { Type } from '@sinclair/typebox';
import { DescribedDuration, toMs } from '../vocabulary/units';
import { toleranceMs } from '../vocabulary/time-scale';
import { ConnName, StepTimeout, defineStep, onConn } from './define';
import { deadlineFor } from './context';

const DEFAULT_QUIET = '500ms';

export const waitForSends = defineStep({
  name: 'wait-for-sends',
  summary:
    'Waits until every byte queued on the connection is written, or until the peer has taken none for `quiet` (it stopped reading and its window closed). ' +
    'Put before a `sleep` that must hold the server back that long: the pause then starts once the server is held back, however slowly the sends went out. ' +
    'It checks nothing; at its timeout the case goes on (the transcript says so).',
  schema: Type.Object(
    {
      conn: Type.Optional(ConnName),
      quiet: Type.Optional(DescribedDuration(`how long the peer takes no byte before it counts as holding the sends back (default ${DEFAULT_QUIET}; scaled by --time-scale)`)),
      timeout: Type.Optional(StepTimeout),
    },
    { additionalProperties: false },
  ),
  shorthand: 'conn',
  describe: (p) => `wait for sends${onConn(p.conn)}`,
  check(p, where, report) {
    if (where.transportOf(p.conn) === 'udp') report('wait-for-sends is for TCP connections; this one is UDP', 'conn');
  },
  async run(p, ctx) {
    const conn = ctx.scope.tcp(p.conn);
    const quiet = toleranceMs(toMs(p.quiet ?? DEFAULT_QUIET), ctx.run.timeScale);
    // Either way the transcript says how the wait ended.
    await conn.sendsSettled(quiet, deadlineFor(ctx, p.timeout), ctx.run.signal);
  },
});

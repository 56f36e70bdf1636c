import { Type } from '@sinclair/typebox';
import { deadlineFor } from '../run/context';
import { toMs } from '../suite/units';
import { dump } from '../verdict/bytes';
import { StepFailure } from '../verdict/failure';
import { ConnName, StepTimeout, defineStep, onConn } from './define';

const OUTCOMES = ['fin', 'rst', 'timeout'] as const;
type CloseOutcome = (typeof OUTCOMES)[number];

const SAID: Record<CloseOutcome, string> = {
  fin: 'a clean close (FIN)',
  rst: 'a reset (RST)',
  timeout: 'the connection still open at the deadline',
};

export const expectClose = defineStep({
  name: 'expect-close',
  summary:
    'Waits for the peer to end the connection and classifies how: fin (orderly close), rst (reset), ' +
    'or timeout (still open at the deadline). Passes when the outcome is one of `accept` (default: fin).',
  shorthand: 'conn',
  schema: Type.Object(
    {
      conn: Type.Optional(ConnName),
      accept: Type.Optional(Type.Array(Type.Union(OUTCOMES.map((o) => Type.Literal(o))), { minItems: 1, uniqueItems: true })),
      ignoreData: Type.Optional(Type.Boolean({ description: 'do not fail when unread bytes arrive before the close' })),
      timeout: Type.Optional(StepTimeout),
    },
    { additionalProperties: false },
  ),
  describe: (p) => `expect close (${(p.accept ?? ['fin']).join(' or ')})${onConn(p.conn)}`,
  async run(p, ctx) {
    const conn = ctx.scope.tcp(p.conn);
    const accept: readonly CloseOutcome[] = p.accept ?? ['fin'];
    const deadline = deadlineFor(ctx, p.timeout === undefined ? undefined : toMs(p.timeout));
    const waited = await conn.waiter.until(() => conn.ended || (!p.ignoreData && conn.available > 0), deadline, ctx.run.signal);
    if (!p.ignoreData && conn.available > 0) {
      throw new StepFailure(`expected the peer to close the connection; ${conn.available} unexpected bytes arrived first`, dump('received', 0, conn.peek(), 4));
    }
    if (conn.error && !conn.peerClose) throw new StepFailure(`expected the peer to close the connection; it failed: ${conn.error.message}`);
    if (waited === 'aborted') throw new StepFailure('the case deadline passed while waiting for the peer to close');
    const outcome: CloseOutcome = conn.peerClose ?? 'timeout';
    if (!accept.includes(outcome)) {
      throw new StepFailure(`expected ${accept.map((o) => SAID[o]).join(' or ')}, got ${SAID[outcome]}`);
    }
  },
});

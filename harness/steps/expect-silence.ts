import { Type } from '@sinclair/typebox';
import { TcpConnection } from '../net/tcp-connection';
import { sleep } from '../net/waiter';
import { DescribedDuration, toMs } from '../vocabulary/units';
import { dump } from '../verdict/bytes';
import { StepFailure } from '../verdict/failure';
import { windowFull } from './support/line-input';
import { CheckedRule, ConnName, defineStep, onConn } from './define';

export const expectSilence = defineStep({
  name: 'expect-silence',
  summary: 'Passes when nothing arrives on the connection for the given time and it stays open.',
  schema: Type.Object({ ...CheckedRule, conn: Type.Optional(ConnName), for: DescribedDuration('how long nothing may arrive; the check itself, so --time-scale does not scale it') }, { additionalProperties: false }),
  describe: (p) => `expect silence for ${p.for}${onConn(p.conn)}`,
  async run(p, ctx) {
    const conn = ctx.scope.get(p.conn);
    const quiet = toMs(p.for);
    if (conn instanceof TcpConnection) {
      // A full receive window reads nothing more: silence there would be sockspec's, not the server's.
      const cannotHear = () => windowFull(conn, 'that no step read', 'what can be unread while listening for silence');
      const before = conn.bytesReceived;
      await conn.waiter.until(() => conn.bytesReceived > before || conn.ended || conn.full, Date.now() + quiet, ctx.run.signal);
      if (conn.bytesReceived > before) throw new StepFailure(`expected no data for ${quiet} ms, received ${conn.bytesReceived - before} B`, dump('received', 0, conn.peek(), 2));
      const full = cannotHear();
      if (full) throw new StepFailure(`cannot tell whether the connection is silent: ${full}`, dump('received', 0, conn.peek(), 2));
      if (conn.error) throw new StepFailure(`expected the connection to stay open and silent for ${quiet} ms; it failed: ${conn.error.message}`);
      if (conn.peerClose) throw new StepFailure(`expected the connection to stay open and silent for ${quiet} ms; the peer closed it (${conn.peerClose.toUpperCase()})`);
      return;
    }
    const before = conn.arrived;
    await sleep(quiet, ctx.run.signal);
    if (conn.arrived > before) throw new StepFailure(`expected no datagram for ${quiet} ms, received ${conn.arrived - before}`);
  },
});

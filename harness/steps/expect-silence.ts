import { Type } from '@sinclair/typebox';
import { TcpConnection } from '../net/tcp-connection';
import { sleep } from '../net/waiter';
import { Duration, toMs } from '../suite/units';
import { dump } from '../verdict/bytes';
import { StepFailure } from '../verdict/failure';
import { CheckedRule, ConnName, defineStep, onConn } from './define';

export const expectSilence = defineStep({
  name: 'expect-silence',
  summary: 'Passes when nothing arrives on the connection for the given time and it stays open.',
  schema: Type.Object({ ...CheckedRule, conn: Type.Optional(ConnName), for: Duration }, { additionalProperties: false }),
  describe: (p) => `expect silence for ${p.for}${onConn(p.conn)}`,
  async run(p, ctx) {
    const conn = ctx.scope.get(p.conn);
    const quiet = toMs(p.for);
    if (conn instanceof TcpConnection) {
      const before = conn.available;
      await conn.waiter.until(() => conn.available > before || conn.ended, Date.now() + quiet, ctx.run.signal);
      if (conn.available > before) throw new StepFailure(`expected no data for ${quiet} ms, received ${conn.available - before} B`, dump('received', 0, conn.peek(), 2));
      if (conn.error) throw new StepFailure(`expected the connection to stay open and silent for ${quiet} ms; it failed: ${conn.error.message}`);
      if (conn.peerClose) throw new StepFailure(`expected the connection to stay open and silent for ${quiet} ms; the peer closed it (${conn.peerClose.toUpperCase()})`);
      return;
    }
    const before = conn.datagrams.length;
    await sleep(quiet, ctx.run.signal);
    if (conn.datagrams.length > before) throw new StepFailure(`expected no datagram for ${quiet} ms, received ${conn.datagrams.length - before}`);
  },
});

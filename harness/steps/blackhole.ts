import { ConnOnly, defineStep, onConn } from './define';
import { proxiedConnection } from './support/fault-proxy';

export const blackhole = defineStep({
  name: 'blackhole',
  summary:
    "The connection's client vanishes: from now on the fault proxy (a faults step must have opened " +
    'the connection through it) passes nothing either way, not data, not a FIN, not a reset, and ' +
    "the server is not told. Other connections are not touched. expect-idle-close with seen: proxy " +
    'then sees whether the server releases it.',
  shorthand: 'conn',
  schema: ConnOnly,
  describe: (p) => `blackhole${onConn(p.conn)}`,
  async run(p, ctx) {
    const { conn, proxied } = proxiedConnection(ctx, p.conn);
    proxied.blackhole();
    ctx.run.transcript.record(conn.name, 'note', 'blackholed at the fault proxy: nothing passes either way from now on');
  },
});

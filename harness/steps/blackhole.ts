import type { ProxiedConnection } from '../faults/proxy';
import type { StepContext } from '../run/context';
import { SuiteUsageError } from '../verdict/failure';
import { ConnOnly, defineStep, onConn } from './define';

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

/** The fault proxy's record of a case's TCP connection; a usage error when it went direct. */
export function proxiedConnection(ctx: StepContext, name: string | undefined) {
  const conn = ctx.scope.tcp(name);
  const proxy = ctx.run.lifecycle.proxy;
  if (!proxy) throw new SuiteUsageError('this step needs the fault proxy: put a faults step before the connect');
  const proxied: ProxiedConnection | undefined = conn.localPort === undefined ? undefined : proxy.connectionFrom(conn.localPort);
  if (!proxied) throw new SuiteUsageError(`connection "${name ?? 'main'}" does not go through the fault proxy: connect it after the faults step`);
  return { conn, proxied };
}

import { Type } from '@sinclair/typebox';
import { endpointFor, toleranceFor } from './context';
import type { TcpConnection } from '../net/tcp-connection';
import type { Waiter } from '../net/waiter';
import { DescribedDuration } from '../vocabulary/units';
import { dump } from '../verdict/bytes';
import { StepFailure, SuiteUsageError } from '../verdict/failure';
import { proxiedConnection } from './support/fault-proxy';
import { keepBusy } from './support/keep-busy';
import { CheckedRule, ConnName, defineStep, onConn } from './define';
import { DEFAULT_CONN } from './support/scope';

/**
 * How much before the declared time a close still counts as on time. The server's last activity
 * lies between the client's last write (it read that later) and the client's last read (it wrote
 * that earlier), so the early bound is counted from the former and the late one from the latter;
 * this covers only timers that start from a cached event-loop clock, a few ms behind.
 */
export const EARLY_TOLERANCE_MS = 25;

/** A close as one side saw it: FIN or RST, at performance.now(). */
interface SeenClose {
  how: 'fin' | 'rst';
  at: number;
}

export const expectIdleClose = defineStep({
  name: 'expect-idle-close',
  summary:
    'Sends nothing and waits for the server to close the connection for idleness: the close must ' +
    "come within [T, T + slack] of the connection's last byte, T being the idle timeout the target " +
    'declares (needs: [idle-timeout]); too early fails as much as too late. seen: client (default) ' +
    "watches the connection itself; seen: proxy watches the fault proxy's connection to the server, " +
    'for a client that is blackholed and would never know. busy: another connection sends a byte every 100 ms ' +
    'meanwhile, all of one line ended when the wait ends (a later `expect: { sent: true }` on it checks the echo): ' +
    'a server that looks for idle connections only when nothing else happens, or whose idle timer only whole lines reset, fails.',
  schema: Type.Object(
    {
      ...CheckedRule,
      conn: Type.Optional(ConnName),
      slack: DescribedDuration('how late past the declared idle timeout the close may come (patience: scaled by --time-scale; the idle timeout is not)'),
      seen: Type.Optional(Type.Union([Type.Literal('client'), Type.Literal('proxy')], { description: 'where the close is observed (default client)' })),
      busy: Type.Optional(Type.String({ pattern: ConnName.pattern, description: 'another connection, kept busy while waiting: a byte every 100 ms, of one line ended when the wait ends' })),
    },
    { additionalProperties: false },
  ),
  needs: () => ['idle-timeout'],
  check(p, where, report) {
    if (p.busy === undefined) return;
    if (p.busy === (p.conn ?? DEFAULT_CONN)) report('busy names the idle connection itself; it must be another one', 'busy');
    else if (where.transportOf(p.busy) === 'udp') report('busy is for TCP connections; this one is UDP', 'busy');
  },
  describe: (p) => `expect the server to close the idle connection${onConn(p.conn)} (seen by the ${p.seen ?? 'client'}, slack ${p.slack})`,
  async run(p, ctx) {
    const idleMs = endpointFor(ctx.run, undefined).idleTimeoutMs;
    if (idleMs === undefined) throw new SuiteUsageError('expect-idle-close needs a declared idle timeout: add needs: [idle-timeout] to the case');
    const viaProxy = p.seen === 'proxy';
    const { conn, proxied } = viaProxy ? proxiedConnection(ctx, p.conn) : { conn: ctx.scope.tcp(p.conn), proxied: undefined };
    const earliest = idleMs - EARLY_TOLERANCE_MS;
    // The idle timeout is the rule; the slack is patience, scaled with the run (--time-scale).
    const slackMs = toleranceFor(ctx, p.slack);
    const latest = idleMs + slackMs;
    const since = Math.max(conn.lastSent, conn.lastReceived ?? 0);
    const seen = (): SeenClose | undefined => (proxied ? proxied.serverClose : clientSaw(conn));
    const waiter: Waiter = proxied ? proxied.waiter : conn.waiter;
    const deadline = Math.min(Date.now() + (since + latest - performance.now()), ctx.run.caseDeadline);
    const neighbour = p.busy === undefined ? undefined : keepBusy(ctx.scope.tcp(p.busy));
    try {
      // Through the proxy the client's own socket may see anything (it is blackholed); directly, a byte is a failure.
      await waiter.until(() => seen() !== undefined || (!proxied && (conn.available > 0 || conn.error !== undefined)), deadline, ctx.run.signal);
    } finally {
      neighbour?.stop();
    }

    const who = proxied ? 'the server closed its side of the proxied connection' : 'the server closed the connection';
    const declared = `its declared idle timeout of ${idleMs} ms`;
    if (!proxied && conn.available > 0) {
      throw new StepFailure(`expected the connection to stay idle until the server closed it; ${conn.available} B arrived after ${ms(performance.now() - since)} idle`, dump('received', 0, conn.peek(), 4));
    }
    if (!proxied && conn.error) throw new StepFailure(`expected the server to close the idle connection; ${conn.endDescription()}`);
    const close = seen();
    if (!close) {
      if (ctx.run.signal.aborted) throw new StepFailure('the case deadline passed while waiting for the idle close');
      const side = proxied ? 'the server had not closed its side of the proxied connection' : 'the connection was still open';
      throw new StepFailure(`${side} ${ms(performance.now() - since)} after its last byte; ${declared} plus ${slackMs} ms slack had passed`);
    }
    const idle = close.at - since;
    const afterWrite = close.at - conn.lastSent;
    if (proxied) ctx.run.transcript.record(conn.name, 'note', `the proxy saw the server's ${close.how.toUpperCase()} after ${ms(idle)} idle`);
    const how = close.how === 'fin' ? 'FIN' : 'RST';
    if (afterWrite < earliest) {
      throw new StepFailure(`${who} (${how}) ${ms(afterWrite)} after the client's last write, before ${declared} (allowed: ${earliest} to ${latest} ms)`);
    }
    if (idle > latest) throw new StepFailure(`${who} (${how}) after ${ms(idle)} idle, later than ${declared} plus ${slackMs} ms slack`);
  },
});

function clientSaw(conn: TcpConnection): SeenClose | undefined {
  return conn.peerClose && conn.peerClosedAt !== undefined ? { how: conn.peerClose, at: conn.peerClosedAt } : undefined;
}

function ms(value: number): string {
  return `${Math.round(value)} ms`;
}

import { Type } from '@sinclair/typebox';
import { TcpConnection } from '../net/tcp-connection';
import { deadlineFor, stepTimeoutMs } from './context';
import { ConnName, StepTimeout, defineStep } from './define';
import { DEFAULT_CONN } from './support/scope';
import { nextConnection, startedServerSide } from './support/server-side';
import { StepFailure } from '../verdict/failure';
import { clientState } from './support/client-state';
import { acceptTls } from './support/server-tls';

export const accept = defineStep({
  name: 'accept',
  summary:
    "Client suites: takes the next connection the client made to the case's listener (waiting for it up to the timeout) " +
    'and names it (when start-client gave tls:, the server end of the TLS handshake runs on it in the background, its outcome on the transcript), so send, expect, half-close, close, reset, stop-reading and expect-close work on it as on a connection sockspec opened.',
  shorthand: 'conn',
  schema: Type.Object({ conn: Type.Optional(ConnName), timeout: Type.Optional(StepTimeout) }, { additionalProperties: false }),
  cost: () => ({ connections: 1 }),
  opens: (p) => ({ conn: p.conn ?? DEFAULT_CONN }),
  check(_p, where, report) {
    if (where.peer !== 'client') report('accept is for client suites (peer: client); a server suite connects');
    else if (where.transportOf(undefined) === 'udp') report('accept takes a TCP connection: a UDP client suite has receive-datagram');
  },
  describe: (p) => `accept ${p.conn ?? DEFAULT_CONN}`,
  async run(p, ctx) {
    const name = p.conn ?? DEFAULT_CONN;
    ctx.scope.reserve(name);
    const side = await startedServerSide(ctx.run);
    const timeoutMs = stepTimeoutMs(ctx, p.timeout);
    const socket = await nextConnection(side, deadlineFor(ctx, p.timeout), ctx.run.signal);
    if (!socket) throw new StepFailure(`the client made no connection to ${side.host}:${side.port} within ${timeoutMs} ms`, clientState(side));
    const label = ctx.scope.label(name);
    ctx.run.transcript.record(label, 'connected', `accepted from ${socket.remoteAddress}:${socket.remotePort}`);
    const conn = side.tls ? acceptTls(label, socket, side.tls, ctx.run.transcript) : new TcpConnection(label, socket, ctx.run.transcript);
    side.accepted.push(conn);
    ctx.scope.add(name, conn);
  },
});

import { Type } from '@sinclair/typebox';
import { deadlineFor, stepTimeoutMs } from './context';
import { CheckedRule, ConnName, StepTimeout, defineStep, onConn } from './define';
import { describeOutcome, serverHandshakeOf } from './support/server-tls';
import { StepFailure, SuiteUsageError } from '../verdict/failure';
import { formatBytes } from '../vocabulary/units';

export const expectHandshake = defineStep({
  name: 'expect-handshake',
  summary:
    "Client suites over TLS (start-client with tls:): checks the server end of an accepted connection's handshake. " +
    'It always requires a ClientHello (the client started a TLS handshake); then, as asked, the SNI it carried, ' +
    'that the server side sent its certificate (it did not refuse the hello itself, so a refusal was the client\'s), ' +
    'that the handshake completed and its protocol, and that the client sent no application data (until the connection ended). ' +
    'Waits up to the timeout for the handshake to end (and for applicationData: false, for the connection to end).',
  schema: Type.Object(
    {
      ...CheckedRule,
      conn: Type.Optional(ConnName),
      sni: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Literal(false)], { description: 'the host name the ClientHello carried as SNI; false: none' })),
      certificateSent: Type.Optional(Type.Literal(true, { description: 'the server side answered the ClientHello with its certificate chain: the handshake was not refused by the server side' })),
      completed: Type.Optional(Type.Boolean({ description: 'the handshake completed (true) or ended before (false)' })),
      protocol: Type.Optional(Type.String({ description: 'the protocol the handshake settled, e.g. TLSv1.3' })),
      applicationData: Type.Optional(Type.Literal(false, { description: 'false: the client sent no application data on the connection, up to its end (waited for up to the timeout)' })),
      timeout: Type.Optional(StepTimeout),
    },
    { additionalProperties: false },
  ),
  describe: (p) => `expect a TLS handshake${p.sni !== undefined ? `, SNI ${p.sni || 'none'}` : ''}${p.completed === false ? ', not completed' : p.completed ? ', completed' : ''}${p.applicationData === false ? ', no application data' : ''}${onConn(p.conn)}`,
  check(p, where, report) {
    if (where.peer !== 'client') report('expect-handshake is for client suites (peer: client)');
    if (p.protocol !== undefined && p.completed === false) report('protocol is what a completed handshake settled: not with completed: false', 'protocol');
  },
  async run(p, ctx) {
    const conn = ctx.scope.tcp(p.conn);
    const handshake = serverHandshakeOf(conn);
    if (!handshake) throw new SuiteUsageError(`connection "${p.conn ?? 'main'}" is not TLS: give start-client a tls: option`);
    const timeoutMs = stepTimeoutMs(ctx, p.timeout);
    const deadline = deadlineFor(ctx, p.timeout);
    const outcome = await by(handshake.settled, deadline);
    if (!handshake.hello) {
      throw new StepFailure(`no TLS ClientHello arrived: the client did not start a TLS handshake${outcome ? ` (what came was ${describeOutcome(outcome)})` : ` within ${timeoutMs} ms`}`);
    }
    if (p.sni !== undefined && handshake.servername !== p.sni) {
      throw new StepFailure(`the ClientHello carried ${handshake.servername === false ? 'no SNI' : `SNI ${handshake.servername}`}; expected ${p.sni === false ? 'none' : p.sni}`);
    }
    if (!outcome) throw new StepFailure(`the TLS handshake did not end within ${timeoutMs} ms`);
    const seen = `the TLS handshake ${describeOutcome(outcome)}`;
    if (p.certificateSent && outcome.kind === 'server-refused') throw new StepFailure(`the server side never sent its certificate: ${seen}`);
    if (p.completed !== undefined && (outcome.kind === 'completed') !== p.completed) throw new StepFailure(`expected the handshake ${p.completed ? 'to complete' : 'not to complete'}; ${seen}`);
    if (p.protocol !== undefined && !(outcome.kind === 'completed' && outcome.protocol === p.protocol)) throw new StepFailure(`expected ${p.protocol}; ${seen}`);
    if (p.applicationData === false) {
      // Until the connection has ended, bytes may still come: the first of them, or its end, decides.
      const ended = (await conn.waiter.until(() => conn.bytesReceived > 0 || conn.ended, deadline, ctx.run.signal)) === 'ready';
      if (conn.bytesReceived > 0) throw new StepFailure(`the client sent ${formatBytes(conn.bytesReceived)} of application data (${seen})`);
      if (!ended) throw new StepFailure(`the connection was still open after ${timeoutMs} ms: the client may yet send application data`);
    }
  },
});

/** `promise`'s value, or undefined if it has not settled by `deadline`. */
function by<T>(promise: Promise<T>, deadline: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - Date.now()));
    void promise.then((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}

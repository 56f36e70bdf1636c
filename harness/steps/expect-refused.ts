import { Type } from '@sinclair/typebox';
import { deadlineFor, endpointFor } from './context';
import { TlsHandshakeError } from '../net/tls-connect';
import { StepFailure } from '../verdict/failure';
import { suiteName } from '../net/client-hello';
import { type HelloOutcome, HelloSpec, exchangeHello, offered } from './support/hello-exchange';
import { type RefusalProbe, requireTlsRefusal } from './support/tls-evidence';
import { CheckedRule, StepTimeout, defineStep } from './define';
import { ServiceField, open } from './connect';
import { TlsOptions, checkTlsOptions, tlsNeeds } from './support/tls-options';
import { fixed } from '../net/payload';
import { TcpConnection } from '../net/tcp-connection';
import type { Transcript } from '../net/transcript';
import type { Endpoint } from '../targets/target';

const PROBE = Buffer.from('sockspec probe: this must not be echoed\n');

export const expectRefused = defineStep({
  name: 'expect-refused',
  summary:
    'Without `tls`: opens a plain TCP connection and passes if it is refused (RST: ECONNREFUSED), not accepted and not left unanswered. ' +
    'With `tls`: opens a TLS connection with the given options (not verifying the server) and passes if a TLS server refuses it: ' +
    'it sends an alert or ends the handshake after its ServerHello, or (TLS 1.3 checks client certificates after the handshake) ' +
    'ends the connection before a probe line is echoed, or refuses before any ServerHello (see below). Fails if the probe is echoed, if the server answers with plaintext or an echo ' +
    "of the ClientHello (it does not speak TLS), if this client gave up after the server's ServerHello (the server accepted), and fails " +
    'as unusable if this client could not even offer what the options ask (nothing was sent). ' +
    'With `hello`: sends a hand-written TLS 1.2 ClientHello offering exactly those suites and passes if the server refuses it; ' +
    'fails if it answers with a ServerHello (saying which suite it selected, and whether that suite was offered at all) or with anything but TLS. ' +
    'An alert, a FIN or a reset before any ServerHello passes only if a control handshake with default options on a new connection gets a ServerHello ' +
    '(a server that hangs up on or alerts everyone refuses nothing in particular).',
  schema: Type.Object(
    {
      ...CheckedRule,
      tls: Type.Optional(TlsOptions),
      hello: Type.Optional(HelloSpec),
      service: Type.Optional(ServiceField),
      timeout: Type.Optional(StepTimeout),
    },
    { additionalProperties: false },
  ),
  describe: (p) => `expect refused (${p.hello ? `ClientHello offering ${p.hello.suites.join(', ')}` : p.tls ? Object.entries(p.tls).map(([k, v]) => `${k} ${v}`).join(', ') || 'TLS' : 'TCP'})`,
  check(p, _where, report) {
    if (p.tls && p.hello) report('takes `tls` (a node:tls client) or `hello` (a hand-written ClientHello), not both', 'hello');
    if (p.tls) checkTlsOptions(p.tls, report);
  },
  needs: (p) => tlsNeeds(p.tls),
  async run(p, ctx) {
    const endpoint = endpointFor(ctx.run, p.service);
    const deadline = deadlineFor(ctx, p.timeout);
    const label = ctx.scope.label('probe');
    const probe: RefusalProbe = { label, endpoint, transcript: ctx.run.transcript, deadline };
    if (p.hello) return expectHelloRefused(await exchangeHello(label, endpoint, p.hello, ctx, deadline), offered(p.hello), probe);
    if (!p.tls) return expectTcpRefused(label, endpoint, ctx.run.transcript, deadline);
    let conn;
    try {
      // The server's certificate is not checked here: only a refusal by the server may pass.
      conn = await open(label, endpoint, { verify: false, ...p.tls }, ctx.run.transcript, deadline);
    } catch (err) {
      if (err instanceof TlsHandshakeError && !err.helloSent) {
        throw new StepFailure(`this client could not offer the connection asked for (${err.code}: ${err.message}); nothing was tested`);
      }
      if (err instanceof TlsHandshakeError) return handshakeRefused(err, probe);
      throw new StepFailure(`could not reach the server at all: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    try {
      conn.send(fixed(PROBE, 'probe line'), { chunk: 0, delay: 0, window: 0 });
      const echoed = () => conn.peek().includes(PROBE);
      await conn.waiter.until(() => echoed() || conn.ended, deadline, ctx.run.signal);
      if (echoed()) {
        throw new StepFailure(`the server accepted the connection (${conn.tls?.protocol}) and echoed the probe; it should have refused it`);
      }
      if (!conn.ended) throw new StepFailure('the server completed the handshake and neither answered nor closed the connection');
    } finally {
      conn.closeNow();
    }
  },
});

async function expectTcpRefused(label: string, endpoint: Endpoint, transcript: Transcript, deadline: number): Promise<void> {
  let conn;
  try {
    conn = await TcpConnection.connect(label, endpoint, transcript, deadline);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ECONNREFUSED') return;
    throw new StepFailure(`the connection was not refused: ${code ?? (err as Error).message}`);
  }
  conn.closeNow();
  throw new StepFailure(`the connection to ${endpoint.host}:${endpoint.port} was accepted; it should have been refused`);
}

/**
 * A handshake node:tls gave up on: a refusal when after its ServerHello the server itself sent an
 * alert or ended the connection; when this client gave up after a ServerHello, the server had
 * accepted. Before any ServerHello, requireTlsRefusal judges what the server sent.
 */
async function handshakeRefused(err: TlsHandshakeError, probe: RefusalProbe): Promise<void> {
  const answer = err.answer;
  const first = answer?.first;
  if (first?.kind === 'server-hello') {
    if (answer?.alerted || answer?.ended) return;
    throw new StepFailure(`the server answered with a ServerHello and it was this client that gave up (${err.code}: ${err.message}); the server did not refuse the connection`);
  }
  if (first) return requireTlsRefusal(first, probe);
  if (err.code === 'ETIMEDOUT') throw new StepFailure('the server neither refused nor completed the handshake before the deadline');
  return requireTlsRefusal({ kind: answer?.ended ?? 'rst' }, probe);
}

/**
 * A refusal is an alert, a FIN or a reset from a server that accepts a default handshake
 * (requireTlsRefusal). A ServerHello is an acceptance, worse still for a suite never offered.
 */
async function expectHelloRefused(outcome: HelloOutcome, suites: number[], probe: RefusalProbe): Promise<void> {
  if (outcome.kind === 'timeout') throw new StepFailure('the server neither refused nor answered the ClientHello before the deadline');
  if (outcome.kind !== 'server-hello') return requireTlsRefusal(outcome, probe);
  const chosen = suiteName(outcome.suite);
  if (!suites.includes(outcome.suite)) throw new StepFailure(`the server selected ${chosen}, a suite the client did not offer; it should have refused the hello`);
  throw new StepFailure(`the server accepted the hello, selecting ${chosen}; it should have refused it`);
}

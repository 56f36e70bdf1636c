import { Type, type Static } from '@sinclair/typebox';
import { CIPHER_SUITES, CIPHER_SUITE_NAMES, type CipherSuiteName, clientHelloRecord, suiteName } from '../../net/client-hello';
import { type HelloReply, readHelloReply } from '../../net/server-hello';
import { describeAlert } from '../../net/tls-alerts';
import { TcpConnection } from '../../net/tcp-connection';
import type { StepContext } from '../context';
import type { Endpoint } from '../../targets/target';
import { StepFailure } from '../../verdict/failure';
import { fixed } from '../../net/payload';
import { resolveServername } from './tls-options';

/** A hand-written TLS 1.2 ClientHello: which suites it offers, in order. */
export const HelloSpec = Type.Object(
  {
    suites: Type.Array(Type.Union(CIPHER_SUITE_NAMES.map((name) => Type.Literal(name))), {
      minItems: 1,
      uniqueItems: true,
      description: 'cipher suites to offer, in order, by IANA name (RC4, EXPORT, DES and NULL ones included, which no TLS library offers any more)',
    }),
  },
  { additionalProperties: false },
);
export type HelloSpecParams = Static<typeof HelloSpec>;

/** How the server answered the hello: its first record, or how the connection ended without one. */
export type HelloOutcome = HelloReply | { kind: 'fin' } | { kind: 'rst' } | { kind: 'timeout' };

/**
 * Sends the ClientHello on a new TCP connection and waits for the server's first record or the
 * end of the connection. Only the ServerHello's choice matters here, so no handshake follows:
 * the connection is dropped once the answer is known.
 */
export async function exchangeHello(label: string, endpoint: Endpoint, hello: HelloSpecParams, ctx: StepContext, deadline: number): Promise<HelloOutcome> {
  let conn: TcpConnection;
  try {
    conn = await TcpConnection.connect(label, endpoint, ctx.run.transcript, deadline);
  } catch (err) {
    throw new StepFailure(`could not reach the server at all: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    const record = clientHelloRecord(offered(hello), resolveServername(undefined, endpoint));
    conn.send(fixed(record, `TLS 1.2 ClientHello offering ${hello.suites.join(', ')}`), { chunk: 0, delay: 0, window: 0 });
    let reply: HelloReply | undefined;
    await conn.waiter.until(() => (reply = readHelloReply(conn.peek())) !== undefined || conn.ended, deadline, ctx.run.signal);
    reply ??= readHelloReply(conn.peek());
    // An error without a FIN (EPIPE, ECONNRESET on write) is the server dropping the connection.
    const outcome: HelloOutcome = reply ?? (conn.peerClose ? { kind: conn.peerClose } : conn.ended ? { kind: 'rst' } : { kind: 'timeout' });
    ctx.run.transcript.record(label, 'note', `answer to the ClientHello: ${describeOutcome(outcome)}`);
    return outcome;
  } finally {
    conn.closeNow();
  }
}

export function offered(hello: HelloSpecParams): number[] {
  return hello.suites.map((name: CipherSuiteName) => CIPHER_SUITES[name]);
}

export function describeOutcome(outcome: HelloOutcome): string {
  switch (outcome.kind) {
    case 'server-hello':
      return `a ServerHello selecting ${suiteName(outcome.suite)}`;
    case 'alert':
      return `a ${describeAlert(outcome.alert)} alert`;
    case 'not-tls':
      return outcome.detail;
    case 'fin':
      return 'a clean close (FIN) without an answer';
    case 'rst':
      return 'a reset (RST)';
    case 'timeout':
      return 'no answer before the deadline';
  }
}

import { Type } from '@sinclair/typebox';
import { deadlineFor } from './context';
import { dump } from '../verdict/bytes';
import { StepFailure, SuiteUsageError } from '../verdict/failure';
import type { TcpConnection } from '../net/tcp-connection';
import { RECORD_TYPE } from '../net/record-types';
import { CLOSE_NOTIFY, describeAlert } from '../net/tls-alerts';
import { concatenated } from '../net/payload';
import { readExactly } from './support/expect-bytes';
import { CheckedRule, ConnName, StepTimeout, defineStep, onConn } from './define';

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
      ...CheckedRule,
      conn: Type.Optional(ConnName),
      accept: Type.Optional(Type.Array(Type.Union(OUTCOMES.map((o) => Type.Literal(o))), { minItems: 1, uniqueItems: true })),
      ignoreData: Type.Optional(
        Type.Boolean({
          description:
            'do not fail when bytes arrive before the close: they are read and thrown away, as many as come (after stop-reading, only once resume-reading)',
        }),
      ),
      notEcho: Type.Optional(
        Type.Boolean({ description: 'bytes may arrive before the close, but not an echo of what was sent (e.g. plaintext sent to a TLS port)' }),
      ),
      closeNotify: Type.Optional(
        Type.Boolean({
          description: 'an alert must be the last TLS record before the FIN (TLS 1.2: an alert record; TLS 1.3: a close_notify, read inside the record protection)',
        }),
      ),
      timeout: Type.Optional(StepTimeout),
    },
    { additionalProperties: false },
  ),
  describe: (p) => `expect close (${(p.accept ?? ['fin']).join(' or ')})${onConn(p.conn)}`,
  async run(p, ctx) {
    const conn = ctx.scope.tcp(p.conn);
    const accept: readonly CloseOutcome[] = p.accept ?? ['fin'];
    const deadline = deadlineFor(ctx, p.timeout);
    const dataAllowed = p.ignoreData || p.notEcho;
    // Bytes held unread would stop the reads at RECEIVE_WINDOW, and with them the sight of the close.
    if (p.ignoreData) conn.discardReceived();
    const waited = await conn.waiter.until(() => conn.ended || (!dataAllowed && conn.available > 0), deadline, ctx.run.signal);
    if (p.notEcho) checkNotEcho(conn);
    if (!dataAllowed && conn.available > 0) {
      throw new StepFailure(`expected the peer to close the connection; ${conn.available} unexpected bytes arrived first`, dump('received', 0, conn.peek(), 4));
    }
    if (conn.error && !conn.peerClose) throw new StepFailure(`expected the peer to close the connection; it failed: ${conn.error.message}`);
    if (waited === 'aborted') throw new StepFailure('the case deadline passed while waiting for the peer to close');
    const outcome: CloseOutcome = conn.peerClose ?? 'timeout';
    if (!accept.includes(outcome)) {
      throw new StepFailure(`expected ${accept.map((o) => SAID[o]).join(' or ')}, got ${SAID[outcome]}`);
    }
    if (p.closeNotify) checkCloseNotify(conn);
  },
});

/** Fails when the bytes received contain the start of what was sent. */
function checkNotEcho(conn: TcpConnection): void {
  const sent = concatenated(conn.takePendingEcho());
  const head = readExactly(sent.open(), Math.min(sent.length, 64));
  const received = conn.peek();
  if (head.length > 0 && received.includes(head)) {
    throw new StepFailure(`the server echoed what was sent (${sent.label}); it should have refused it`, dump('received', 0, received, 2));
  }
}

/**
 * TLS 1.2 shows only that the last record was an alert (its description is encrypted); TLS 1.3
 * records are opened, so there the alert must be close_notify itself.
 */
function checkCloseNotify(conn: TcpConnection): void {
  const records = conn.tls?.recordsAfterHandshake;
  if (!records) throw new SuiteUsageError('closeNotify is for TLS connections');
  const last = records.last;
  if (!last) throw new StepFailure('expected a close_notify alert before the FIN; no record arrived after the handshake');
  if (last.unopened) throw new StepFailure('expected a close_notify alert before the FIN; the last record could not be opened with the logged TLS 1.3 keys');
  if (last.type !== RECORD_TYPE.alert) {
    throw new StepFailure(`expected a close_notify alert before the FIN; the last record before the FIN had content type ${last.type} (21 = alert, 22 = handshake, 23 = application data)`);
  }
  if (last.alert && last.alert.description !== CLOSE_NOTIFY) {
    throw new StepFailure(`expected a close_notify alert before the FIN; the last record was a ${describeAlert(last.alert)} alert`);
  }
}

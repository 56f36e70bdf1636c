import { Type } from '@sinclair/typebox';
import { TcpConnection } from '../net/tcp-connection';
import { patienceFor } from './context';
import { Size, toBytes } from '../vocabulary/units';
import { SuiteUsageError } from '../verdict/failure';
import { CheckedRule, ConnName, StepTimeout, defineStep, onConn } from './define';
import { PAYLOAD_FORMS, PayloadFields, buildPayload } from './support/payload';
import { concatenated } from '../net/payload';
import { echoingBack, expectTcpBytes } from './support/expect-bytes';
import { expectDatagrams } from './support/expect-datagrams';
import { expectDigest, expectLine, expectRegex } from './support/expect-text';
import { Regex } from '../vocabulary/regex';
import { startedServerSide } from './support/server-side';

const FORMS = [...PAYLOAD_FORMS, 'sent', 'stdin', 'regex', 'line', 'digest'] as const;

export const expect = defineStep({
  name: 'expect',
  summary:
    'Waits for bytes from the peer and checks them: exact bytes, the echo of everything sent since the ' +
    'last `sent` check, a regex, a line, or a SHA-256 digest. On UDP, one reply datagram per expected datagram.',
  schema: Type.Object(
    {
      ...CheckedRule,
      conn: Type.Optional(ConnName),
      ...PayloadFields,
      sent: Type.Optional(Type.Literal(true, { description: 'the bytes sent on this connection since the last `sent` check' })),
      stdin: Type.Optional(Type.Literal(true, { description: "client suites: every byte the client was given on stdin (start-client's stdin)" })),
      regex: Type.Optional(Regex('a JavaScript regex the unread text must match; consumed through the match', { placeholders: false })),
      line: Type.Optional(Type.String({ description: 'the next LF-terminated line, without its terminator (a CR before LF is dropped)' })),
      digest: Type.Optional(
        Type.Object({ bytes: Size, sha256: Type.String({ pattern: '^[0-9a-fA-F]{64}$' }) }, { additionalProperties: false }),
      ),
      echo: Type.Optional(
        Type.Literal(true, { description: 'client suites: send each piece back as it arrives and read no further until it is written, as an echo server does (a client that sends everything before it reads deadlocks)' }),
      ),
      allowLoss: Type.Optional(Type.Boolean({ description: 'UDP with sent: count lost replies as a note instead of failing' })),
      timeout: Type.Optional(StepTimeout),
    },
    { additionalProperties: false, oneOf: FORMS.map((form) => ({ required: [form] })) },
  ),
  describe: (p) => `expect ${FORMS.find((f) => p[f] !== undefined)}${onConn(p.conn)}`,
  check(p, where, report) {
    const udp = where.transportOf(p.conn) === 'udp';
    if (p.stdin && where.peer !== 'client') report('stdin is for client suites (peer: client): the bytes start-client gave the client', 'stdin');
    if (p.echo && (where.peer !== 'client' || udp)) report('echo is for TCP connections of client suites (peer: client): the server side echoes as it reads', 'echo');
    if (p.allowLoss && !udp) report('allowLoss is for UDP connections; this one is TCP', 'allowLoss');
    for (const form of ['regex', 'line', 'digest'] as const) {
      if (udp && p[form] !== undefined) report(`${form} checks are for TCP; on UDP expect datagrams (sent or a payload)`, form);
    }
  },
  async run(p, ctx) {
    const conn = ctx.scope.get(p.conn);
    const patience = patienceFor(ctx, p.timeout);
    if (!(conn instanceof TcpConnection)) {
      if (p.regex !== undefined || p.line !== undefined || p.digest !== undefined) {
        throw new SuiteUsageError('regex, line and digest checks are for TCP; on UDP expect datagrams (sent or a payload)');
      }
      const owed = p.sent ? conn.takePendingEcho() : [buildPayload(p, ctx.seed)];
      await expectDatagrams(conn, owed, patience, p.allowLoss ?? false, (text) => ctx.run.notes.push(`${conn.name}: ${text}`));
      return;
    }
    if (p.allowLoss) throw new SuiteUsageError('allowLoss is for UDP connections');
    if (p.regex !== undefined) return expectRegex(conn, p.regex, patience);
    if (p.line !== undefined) return expectLine(conn, p.line, patience);
    if (p.digest !== undefined) return expectDigest(conn, toBytes(p.digest.bytes), p.digest.sha256, patience);
    const payload = p.sent ? concatenated(conn.takePendingEcho()) : p.stdin ? (await startedServerSide(ctx.run)).stdin : buildPayload(p, ctx.seed);
    return expectTcpBytes(conn, payload, patience, p.echo ? echoingBack(conn, payload, patience) : undefined);
  },
});

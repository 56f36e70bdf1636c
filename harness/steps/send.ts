import { Type } from '@sinclair/typebox';
import { TcpConnection } from '../net/tcp-connection';
import { toBytes, toMs, Duration, Size } from '../vocabulary/units';
import { PAYLOAD_FORMS, PayloadFields, buildPayload } from './support/payload';
import { ConnName, defineStep, onConn } from './define';
import { SuiteUsageError } from '../verdict/failure';

export const send = defineStep({
  name: 'send',
  summary:
    'Queues bytes on a connection and goes on at once; the bytes are written in order in the background. ' +
    'On UDP each chunk is one datagram (each repetition, when repeat is given without chunk). ' +
    'TCP only: `window` keeps at most that many bytes sent but not yet echoed back.',
  schema: Type.Object(
    {
      conn: Type.Optional(ConnName),
      ...PayloadFields,
      chunk: Type.Optional(Size),
      delay: Type.Optional(Duration),
      window: Type.Optional(Size),
    },
    { additionalProperties: false, oneOf: PAYLOAD_FORMS.map((form) => ({ required: [form] })) },
  ),
  cost: (p) => ({ bytes: buildPayload(p, '').length }),
  describe: (p) => `send ${PAYLOAD_FORMS.find((f) => p[f] !== undefined)}${onConn(p.conn)}`,
  check(p, where, report) {
    if (p.window !== undefined && where.transportOf(p.conn) === 'udp') report('window is for TCP connections; this one is UDP', 'window');
  },
  async run(p, ctx) {
    const conn = ctx.scope.get(p.conn);
    const payload = buildPayload(p, ctx.seed);
    const delay = p.delay === undefined ? 0 : toMs(p.delay);
    const chunk = p.chunk === undefined ? 0 : toBytes(p.chunk);
    const window = p.window === undefined ? 0 : toBytes(p.window);
    if (conn instanceof TcpConnection) conn.send(payload, { chunk, delay, window });
    else if (window > 0) throw new SuiteUsageError('window is for TCP connections');
    else conn.send(payload, chunk || (p.repeat ? payload.length / p.repeat : 0), delay);
  },
});

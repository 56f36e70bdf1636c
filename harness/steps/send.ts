import { Type } from '@sinclair/typebox';
import { TcpConnection } from '../net/tcp-connection';
import { toBytes, toMs, Duration, Size } from '../suite/units';
import { PAYLOAD_FORMS, PayloadFields, buildPayload } from './payload';
import { ConnName, defineStep, onConn } from './define';

export const send = defineStep({
  name: 'send',
  summary:
    'Queues bytes on a connection and goes on at once; the bytes are written in order in the background. ' +
    'On UDP each chunk is one datagram (each repetition, when repeat is given without chunk).',
  schema: Type.Object(
    {
      conn: Type.Optional(ConnName),
      ...PayloadFields,
      chunk: Type.Optional(Size),
      delay: Type.Optional(Duration),
    },
    { additionalProperties: false, oneOf: PAYLOAD_FORMS.map((form) => ({ required: [form] })) },
  ),
  describe: (p) => `send ${PAYLOAD_FORMS.find((f) => p[f] !== undefined)}${onConn(p.conn)}`,
  async run(p, ctx) {
    const conn = ctx.scope.get(p.conn);
    const payload = buildPayload(p, ctx.seed);
    const delay = p.delay === undefined ? 0 : toMs(p.delay);
    const chunk = p.chunk === undefined ? 0 : toBytes(p.chunk);
    if (conn instanceof TcpConnection) conn.send(payload, { chunk, delay });
    else conn.send(payload, chunk || (p.repeat ? payload.length / p.repeat : 0), delay);
  },
});

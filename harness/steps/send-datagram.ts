import { Type } from '@sinclair/typebox';
import { defineStep } from './define';
import { PAYLOAD_FORMS, PayloadFields, buildPayload } from './support/payload';
import { checkDatagramStep, currentRequest, sourceSocket, startedDatagramSide } from './support/datagram-side';
import { readExactly } from './support/expect-bytes';
import { fixed } from '../net/payload';

export const sendDatagram = defineStep({
  name: 'send-datagram',
  summary:
    "UDP client suites: sends one datagram to where the client's latest datagram came from: the payload, or without one the " +
    "latest datagram's bytes (an echo, the reply). From the service's port (default), from another port of its address, or " +
    'from its port on another address (127.0.0.2): a datagram the client must ignore.',
  schema: Type.Object(
    {
      ...PayloadFields,
      from: Type.Optional(
        Type.Union([Type.Literal('service'), Type.Literal('other-port'), Type.Literal('other-address')], {
          description: 'the socket it is sent from: the service port the client sends to (default), another port, or the service port on another address',
        }),
      ),
    },
    { additionalProperties: false },
  ),
  describe: (p) => `send a datagram${PAYLOAD_FORMS.some((form) => p[form] !== undefined) ? '' : ' (the echo)'}${p.from && p.from !== 'service' ? ` from ${p.from}` : ''}`,
  check(p, where, report) {
    checkDatagramStep('send-datagram', where, report);
    if (PAYLOAD_FORMS.filter((form) => p[form] !== undefined).length > 1) report('send-datagram takes at most one payload form: text, hex, base64, random or counter');
  },
  async run(p, ctx) {
    const side = await startedDatagramSide(ctx.run);
    const request = currentRequest(side, 'send-datagram');
    const latest = request[request.length - 1];
    const payload = PAYLOAD_FORMS.some((form) => p[form] !== undefined)
      ? buildPayload(p, ctx.seed)
      : fixed(latest.data, `the echo of datagram ${latest.number}`);
    const source = p.from ?? 'service';
    const socket = await sourceSocket(ctx, side, source);
    await socket.send(readExactly(payload.open(), payload.length), latest.address, latest.port, `reply to datagram ${latest.number}`);
    if (source === 'service') side.replies.push(payload);
  },
});

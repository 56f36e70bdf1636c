import { Type } from '@sinclair/typebox';
import { defineStep } from './define';
import { checkDatagramStep, currentRequest, startedDatagramSide } from './support/datagram-side';
import { LISTENER } from './support/server-side';

export const dropDatagram = defineStep({
  name: 'drop-datagram',
  summary: "UDP client suites: leaves the client's latest datagram without a reply, as a network that lost it, and says so on the transcript.",
  schema: Type.Object({}, { additionalProperties: false }),
  describe: () => 'drop the datagram',
  check(_p, where, report) {
    checkDatagramStep('drop-datagram', where, report);
  },
  async run(_p, ctx) {
    const request = currentRequest(await startedDatagramSide(ctx.run), 'drop-datagram');
    ctx.run.transcript.record(LISTENER, 'note', `datagram ${request[request.length - 1].number} dropped: no reply`);
  },
});

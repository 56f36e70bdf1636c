import { Type } from '@sinclair/typebox';
import { deadlineFor, stepTimeoutMs } from './context';
import { CheckedRule, StepTimeout, defineStep } from './define';
import { PAYLOAD_FORMS, PayloadFields, buildPayload } from './support/payload';
import { checkDatagramStep, describeDatagram, nextDatagram, sameRequest, startedDatagramSide } from './support/datagram-side';
import { readExactly } from './support/expect-bytes';
import { clientState } from './support/client-state';
import { dump } from '../verdict/bytes';
import { StepFailure } from '../verdict/failure';
import { LISTENER } from './support/server-side';

export const receiveDatagram = defineStep({
  name: 'receive-datagram',
  summary:
    "UDP client suites: takes the next new datagram the client sent to the server side's port (waiting for it up to the timeout), " +
    'checks its bytes when a payload is given, and makes it the request that send-datagram answers, drop-datagram drops and expect-retransmissions follows. ' +
    'A retransmission of the request before it is no new datagram: a client may rightly send one while the reply is on its way.',
  schema: Type.Object({ ...CheckedRule, ...PayloadFields, timeout: Type.Optional(StepTimeout) }, { additionalProperties: false }),
  describe: (p) => {
    const form = PAYLOAD_FORMS.find((f) => p[f] !== undefined);
    return `receive a datagram${form ? ` (${form})` : ''}`;
  },
  check(p, where, report) {
    checkDatagramStep('receive-datagram', where, report);
    if (PAYLOAD_FORMS.filter((form) => p[form] !== undefined).length > 1) report('receive-datagram takes at most one payload form: text, hex, base64, random or counter');
  },
  async run(p, ctx) {
    const side = await startedDatagramSide(ctx.run);
    const timeoutMs = stepTimeoutMs(ctx, p.timeout);
    const deadline = deadlineFor(ctx, p.timeout);
    const previous = side.request?.[0];
    let datagram = await nextDatagram(side, deadline, ctx.run.signal);
    while (datagram && previous && sameRequest(datagram, previous)) {
      ctx.run.transcript.record(LISTENER, 'note', `datagram ${datagram.number} is a retransmission of datagram ${previous.number}, not a new request`);
      datagram = await nextDatagram(side, deadline, ctx.run.signal);
    }
    if (!datagram) {
      const why = side.client?.exitDescription ? `the client exited (${side.client.exitDescription}) without sending one` : `none came within ${timeoutMs} ms`;
      throw new StepFailure(`expected a datagram from the client on ${side.host}:${side.port}; ${why}`, clientState(side));
    }
    side.request = [datagram];
    if (!PAYLOAD_FORMS.some((form) => p[form] !== undefined)) return;
    const payload = buildPayload(p, ctx.seed);
    const wanted = readExactly(payload.open(), payload.length);
    if (!wanted.equals(datagram.data)) {
      throw new StepFailure(`expected a datagram of ${payload.label} (${wanted.length} B); ${describeDatagram(datagram)} came`, [
        ...dump('expected', 0, wanted.subarray(0, 48), 3),
        ...dump('received', 0, datagram.data.subarray(0, 48), 3),
      ]);
    }
  },
});

import { Type } from '@sinclair/typebox';
import { CheckedRule, defineStep } from './define';
import { checkDatagramStep, currentRequest, describeDatagram, sameRequest, startedDatagramSide } from './support/datagram-side';
import { StepFailure } from '../verdict/failure';
import { DescribedDuration, toMs } from '../vocabulary/units';

export const expectNoNewRequest = defineStep({
  name: 'expect-no-new-request',
  summary:
    'UDP client suites: for the given time after the request a step took last, the client sends no other datagram ' +
    '(retransmissions of that request aside): it waits for the reply before its next request. ' +
    "Measured from the request's arrival, so a step that runs late does not move the window.",
  schema: Type.Object({ ...CheckedRule, for: DescribedDuration('how long after the request the client must send nothing new (the rule: not scaled by --time-scale)') }, { additionalProperties: false }),
  describe: (p) => `expect no new request for ${p.for}`,
  check(_p, where, report) {
    checkDatagramStep('expect-no-new-request', where, report);
  },
  async run(p, ctx) {
    const side = await startedDatagramSide(ctx.run);
    const request = currentRequest(side, 'expect-no-new-request');
    const socket = side.datagrams;
    const forMs = toMs(p.for);
    const end = request[request.length - 1].at + forMs;
    const isNew = (datagram: (typeof socket.queue)[number]) => datagram.at < end && !sameRequest(datagram, request[0]);
    await socket.waiter.until(() => socket.queue.some(isNew), Math.min(Date.now() + Math.max(0, end - performance.now()), ctx.run.caseDeadline), ctx.run.signal);
    const early = socket.queue.find(isNew);
    if (early) throw new StepFailure(`expected no new request for ${forMs} ms after ${describeDatagram(request[0])}, before its reply; ${describeDatagram(early)} came ${Math.round(early.at - request[0].at)} ms after it`);
  },
});

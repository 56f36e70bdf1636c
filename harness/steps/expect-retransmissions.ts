import { Type } from '@sinclair/typebox';
import { CheckedRule, defineStep } from './define';
import { toleranceFor } from './context';
import { checkDatagramStep, clientExitTime, currentRequest, describeDatagram, nextDatagram, sameRequest, startedDatagramSide, type DatagramSide } from './support/datagram-side';
import { describePolicy, waitAfter, type RetransmitPolicy } from './support/retransmit';
import { clientState } from './support/client-state';
import type { ReceivedDatagram } from '../net/datagram-server';
import { StepFailure, SuiteUsageError } from '../verdict/failure';
import { DescribedDuration, toMs } from '../vocabulary/units';

const Tolerance = Type.Object(
  {
    early: DescribedDuration('how much sooner than its declared wait a transmission (or the giving up) may come'),
    late: DescribedDuration('how much later: the client is a process on a machine that may be loaded (scaled by --time-scale; the declared waits are not)'),
  },
  { additionalProperties: false, description: 'how far from the declared waits the measured ones may be' },
);

/** What one wait of the client is measured against: [wait - early, wait + late]. */
interface Window {
  early: number;
  late: number;
}

export const expectRetransmissions = defineStep({
  name: 'expect-retransmissions',
  summary:
    "UDP client suites: the request receive-datagram took is sent again, unchanged and from the same address, `count` more times, each after the client's declared wait " +
    '(start-client\'s retransmit: rto, then times the multiplier each time) within the tolerance; every interval is noted. With giveUp, the ' +
    'retransmissions go on to the declared tries, then the client sends nothing more and exits when the last wait has run out.',
  schema: Type.Object(
    {
      ...CheckedRule,
      count: Type.Optional(Type.Integer({ minimum: 1, description: 'how many more transmissions of the request (default 1; with giveUp, the rest of the declared tries)' })),
      giveUp: Type.Optional(Type.Boolean({ description: 'after the last of its tries, the client sends nothing more and exits when its last wait has run out' })),
      tolerance: Tolerance,
    },
    { additionalProperties: false },
  ),
  describe: (p) => (p.giveUp ? 'expect the retransmissions, then the client to give up' : `expect ${p.count ?? 1} retransmission(s)`),
  check(p, where, report) {
    checkDatagramStep('expect-retransmissions', where, report);
    if (p.giveUp && p.count !== undefined) report('with giveUp the count is the rest of the declared tries: leave count out');
  },
  async run(p, ctx) {
    const side = await startedDatagramSide(ctx.run);
    const policy = side.retransmit;
    if (!policy) throw new SuiteUsageError('expect-retransmissions checks the policy start-client gave the client: give start-client a retransmit');
    const request = currentRequest(side, 'expect-retransmissions');
    // A slow machine makes a transmission late, never early: --time-scale widens the late side only.
    const window = { early: toMs(p.tolerance.early), late: toleranceFor(ctx, p.tolerance.late) };
    const until = p.giveUp ? policy.tries : request.length + (p.count ?? 1);
    if (until > policy.tries) throw new SuiteUsageError(`transmission ${until} of a request is past the ${policy.tries} tries start-client declared`);
    const seen = request.length;
    try {
      while (request.length < until) request.push(await retransmission(side, request, policy, window, ctx.run.caseDeadline, ctx.run.signal));
      if (p.giveUp) await givesUp(side, request, policy, window, ctx.run.caseDeadline, ctx.run.signal, ctx.run.notes);
    } finally {
      // What the step measured, passed or not: the intervals show how close to its policy the client keeps.
      if (request.length > seen) ctx.run.notes.push(`request of datagram ${request[0].number}: ${intervals(request, seen, policy)}`);
    }
  },
});

/** Waits for transmission n+1 of the request after its n-th, and checks when it came. */
async function retransmission(side: DatagramSide, request: ReceivedDatagram[], policy: RetransmitPolicy, window: Window, caseDeadline: number, signal: AbortSignal): Promise<ReceivedDatagram> {
  const n = request.length;
  const [first, previous] = [request[0], request[n - 1]];
  const wait = waitAfter(policy, n);
  const next = await nextDatagram(side, deadlineAt(previous.at + wait + window.late, caseDeadline), signal);
  const declared = `the declared wait after transmission ${n} is ${wait} ms (${describePolicy(policy)})`;
  if (!next) {
    const exit = side.client?.exitDescription;
    const what = exit ? `the client exited (${exit}) after ${n} transmission(s) of the request` : `no datagram came within ${wait + window.late} ms of transmission ${n}`;
    throw new StepFailure(`expected transmission ${n + 1} of the request (${describeDatagram(first)}); ${what}: ${declared}`, clientState(side));
  }
  if (!sameRequest(next, first)) {
    throw new StepFailure(`expected transmission ${n + 1} of the request (${describeDatagram(first)} from ${first.address}:${first.port}); ${describeDatagram(next)} from ${next.address}:${next.port} came instead`);
  }
  const interval = Math.round(next.at - previous.at);
  if (interval < wait - window.early || interval > wait + window.late) {
    throw new StepFailure(`transmission ${n + 1} came ${interval} ms after transmission ${n}: ${declared}, so between ${wait - window.early} and ${wait + window.late} ms with the suite's tolerance`);
  }
  return next;
}

/** After the last try: no datagram, and the client's exit once the last wait has run out. */
async function givesUp(side: DatagramSide, request: ReceivedDatagram[], policy: RetransmitPolicy, window: Window, caseDeadline: number, signal: AbortSignal, notes: string[]): Promise<void> {
  const last = request[request.length - 1];
  const wait = waitAfter(policy, policy.tries);
  const expected = `its last wait of ${wait} ms (${describePolicy(policy)}), between ${wait - window.early} and ${wait + window.late} ms with the suite's tolerance`;
  const extra = await nextDatagram(side, deadlineAt(last.at + wait + window.late, caseDeadline), signal);
  if (extra) {
    throw new StepFailure(`after its ${policy.tries} tries the client sent ${describeDatagram(extra)} ${Math.round(extra.at - last.at)} ms after the last one, instead of giving up after ${expected}`);
  }
  const exitAt = await clientExitTime(side);
  if (exitAt === undefined) throw new StepFailure(`the client neither gave up nor sent anything within ${wait + window.late} ms of its last try: it must give up after ${expected}`, clientState(side));
  const after = Math.round(exitAt - last.at);
  notes.push(`gave up ${after} ms after transmission ${request.length} (declared ${wait})`);
  if (after < wait - window.early) throw new StepFailure(`the client gave up ${after} ms after its last try, before ${expected} ran out`, clientState(side));
}

/** A deadline on the clock of ReceivedDatagram.at, as a Date.now() time the case's deadline caps. */
function deadlineAt(at: number, caseDeadline: number): number {
  return Math.min(Date.now() + Math.max(0, at - performance.now()), caseDeadline);
}

/** `transmission 2 +503 ms (declared 500), ...`: each new transmission's time after the one before, and the declared wait. */
function intervals(request: readonly ReceivedDatagram[], from: number, policy: RetransmitPolicy): string {
  return request
    .slice(from)
    .map((d, i) => `transmission ${from + i + 1} +${Math.round(d.at - request[from + i - 1].at)} ms (declared ${waitAfter(policy, from + i)})`)
    .join(', ');
}

import { Type } from '@sinclair/typebox';
import { harnessLimitProblem } from '../load/limits';
import { fanout as measureFanout } from '../load/measure';
import { listeningPorts } from '../targets/proc-sockets';
import { NoEvidence, StepFailure, SuiteUsageError } from '../verdict/failure';
import { MAX_PER_SECOND } from '../vocabulary/capacity';
import { stepTimeoutMs } from './context';
import { CheckedRule, StepTimeout, defineStep } from './define';
import { MEASURING_DRIVERS, count, declared, destination, ms, withDrivers } from './support/load-drivers';
import { expand } from './support/template';

const MAX_MEMBERS = 5000;
const DEFAULT_PER_SECOND = 100;
/** Deliveries (messages times the other members) one measurement times at most: their times travel back from the drivers. */
const MAX_DELIVERIES = 1_000_000;

export const fanout = defineStep({
  name: 'fanout',
  summary:
    "Fills a chat room with members (from load driver processes, each joined by the profile's join " +
    'exchange), then sends messages at a fixed rate (default 100 per second), the members taking ' +
    'turns, and records the percentiles of the time from when each message was due to its arrival ' +
    'at every other member. With declared: true the 99th percentile must be within the one the ' +
    'target declares (needs: [capacity-fanout]), with every delivery made.',
  schema: Type.Object(
    {
      ...CheckedRule,
      members: Type.Integer({ minimum: 2, maximum: MAX_MEMBERS, description: 'members of the room, one connection each' }),
      messages: Type.Integer({ minimum: 1, description: 'messages sent in all, the members taking turns; each reaches every other member' }),
      perSecond: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PER_SECOND, description: 'messages per second, the whole room together (default 100)' })),
      declared: Type.Optional(Type.Boolean({ description: 'fail unless the 99th percentile delivery is within the one the target declares (--declare-capacity fanout-p99=DURATION) and every delivery is made' })),
      timeout: Type.Optional(StepTimeout),
    },
    { additionalProperties: false },
  ),
  needs: (p) => (p.declared ? ['capacity-fanout'] : []),
  cost: (p) => ({ connections: p.members }),
  check(p, _where, report) {
    const deliveries = p.messages * (p.members - 1);
    if (deliveries > MAX_DELIVERIES) report(`${count(deliveries)} deliveries (messages times the other members); a measurement times at most ${count(MAX_DELIVERIES)}`, 'messages');
  },
  describe: (p) => `a room of ${count(p.members)}: ${count(p.messages)} messages at ${count(p.perSecond ?? DEFAULT_PER_SECOND)}/s, each timed to every other member`,
  async run(p, ctx) {
    const wantedMs = p.declared ? declared(ctx, 'fanoutP99Ms', 'capacity-fanout') : undefined;
    const to = destination(ctx);
    // The builtin chat server runs in this very process: its descriptors are ours.
    const limit = harnessLimitProblem(p.members, listeningPorts(process.pid).includes(to.port));
    if (limit) throw new SuiteUsageError(`the harness cannot hold a room of ${count(p.members)} here: ${limit}`);
    const profile = ctx.run.profile();
    const perSecond = p.perSecond ?? DEFAULT_PER_SECOND;
    const script = (i: number) => profile.join.map((line) => ('send' in line ? { send: expand(line.send, ctx, { conn: `member-${i + 1}` }) } : { expect: expand(line.expect, ctx, { conn: `member-${i + 1}` }) }));
    const options = { ...to, members: p.members, messages: p.messages, perSecond, script, say: profile.vars.say ?? '', timeoutMs: stepTimeoutMs(ctx, p.timeout) };
    const { measurement, joinProblem, extra, firstProblem } = await withDrivers(ctx, MEASURING_DRIVERS, (drivers) => measureFanout(drivers, options));
    // Nothing was timed: the fan-out rule a step names is not reached, the room is a precondition.
    if (joinProblem) throw new NoEvidence(`the room of ${count(p.members)} did not fill: ${joinProblem}`);
    ctx.run.measurements.push(measurement);
    const at = (q: number) => measurement.percentiles.find((point) => point.p === q)?.ms;
    const deliveries = p.messages * (p.members - 1);
    const missing = measurement.errors ? `; ${count(measurement.errors)} of ${count(deliveries)} deliveries did not come within ${options.timeoutMs} ms` : '';
    const extras = extra ? `; ${count(extra)} deliveries too many (first: ${firstProblem})` : '';
    const p99 = at(99);
    ctx.run.notes.push(
      `a room of ${count(p.members)} (${profile.profile}), ${count(p.messages)} messages at ${count(perSecond)}/s: p50 ${ms(at(50))}, p90 ${ms(at(90))}, p99 ${ms(p99)}, p99.9 ${ms(at(99.9))}, max ${ms(measurement.maxMs)}` +
        ` (${count(measurement.samples)} deliveries, each timed from when its message was due)${missing}${extras}`,
    );
    if (wantedMs === undefined) return;
    if (p99 === undefined || p99 > wantedMs) throw new StepFailure(`the target declares a 99th percentile delivery within ${wantedMs} ms in a room of ${count(p.members)} at ${count(perSecond)} messages/s; it was ${ms(p99)}${missing}`);
    if (measurement.errors) throw new StepFailure(`the 99th percentile delivery was within the declared ${wantedMs} ms, but ${count(measurement.errors)} of ${count(deliveries)} deliveries did not come`);
  },
});

import { Type } from '@sinclair/typebox';
import { listeningPorts } from '../targets/proc-sockets';
import { harnessLimitProblem, driversFor } from '../load/limits';
import { ramp as runRamp } from '../load/measure';
import { MAX_CONNECTIONS, MAX_PER_SECOND } from '../vocabulary/capacity';
import { StepFailure, SuiteUsageError } from '../verdict/failure';
import { DescribedDuration, toMs } from '../vocabulary/units';
import { endpointFor, stepTimeoutMs } from './context';
import { CheckedRule, StepTimeout, defineStep } from './define';
import { count, declared, destination, withDrivers } from './support/load-drivers';

const DEFAULT_CONNECTIONS = 10_000;
const DEFAULT_PER_SECOND = 5_000;
/** The longest a ramp may hold its connections before checking them. */
const MAX_HOLD_MS = 60_000;

export const ramp = defineStep({
  name: 'ramp',
  summary:
    'Opens connections up to a number (default 10,000) at a bounded rate, from load driver processes, ' +
    'holds them, then checks each with an echo round trip; records the connections open over time, ' +
    'how many were held and where and how the ramp broke (refused, reset, timeout, the harness out of ' +
    "descriptors or ports). With declared: true the number is the one the target declares (needs: " +
    '[capacity-connections]) and every connection must be held; otherwise it only measures. Refused ' +
    'before it starts when the harness itself cannot hold that many (ulimit -n, ephemeral ports). ' +
    'A target that declares an idle timeout gets a newline on every held connection four times within it.',
  schema: Type.Object(
    {
      ...CheckedRule,
      connections: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_CONNECTIONS, description: 'how many connections to open (default 10,000)' })),
      declared: Type.Optional(Type.Boolean({ description: 'open as many as the target declares it holds (--declare-capacity connections=N) and fail unless every one is held' })),
      perSecond: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PER_SECOND, description: 'connections opened per second, at most (default 5,000)' })),
      hold: Type.Optional(DescribedDuration('how long to hold the connections once open, before checking them (default 0; at most 60s)')),
      timeout: Type.Optional(StepTimeout),
    },
    { additionalProperties: false },
  ),
  needs: (p) => (p.declared ? ['capacity-connections'] : []),
  cost: (p) => ({ connections: p.connections ?? (p.declared ? 0 : DEFAULT_CONNECTIONS) }),
  check(p, _where, report) {
    if (p.declared && p.connections !== undefined) report('give connections or declared: true, not both', 'connections');
    if (p.hold !== undefined && toMs(p.hold) > MAX_HOLD_MS) report(`hold is at most ${MAX_HOLD_MS / 1000}s`, 'hold');
  },
  describe: (p) => `ramp up to ${p.declared ? 'the declared number of' : count(p.connections ?? DEFAULT_CONNECTIONS)} connections at ${count(p.perSecond ?? DEFAULT_PER_SECOND)}/s`,
  async run(p, ctx) {
    const connections = p.declared ? declared(ctx, 'connections', 'capacity-connections') : (p.connections ?? DEFAULT_CONNECTIONS);
    const to = destination(ctx);
    const { idleTimeoutMs } = endpointFor(ctx.run, undefined);
    // The builtin reference echo runs in this very process: its descriptors are ours.
    const servedHere = listeningPorts(process.pid).includes(to.port);
    const limit = harnessLimitProblem(connections, servedHere);
    if (limit) throw new SuiteUsageError(`the harness cannot hold ${count(connections)} connections here: ${limit}`);
    const plan = driversFor(connections) as { drivers: number };
    const patienceMs = stepTimeoutMs(ctx, p.timeout);
    const { measurement, lost } = await withDrivers(ctx, plan.drivers, (drivers) =>
      runRamp(drivers, { ...to, connections, perSecond: p.perSecond ?? DEFAULT_PER_SECOND, connectTimeoutMs: patienceMs, holdMs: p.hold === undefined ? 0 : toMs(p.hold), verifyTimeoutMs: patienceMs, idleTimeoutMs }),
    );
    ctx.run.measurements.push(measurement);
    const broke = measurement.broke ? `; the ramp broke after ${count(measurement.broke.after)} (${measurement.broke.how}: ${measurement.broke.detail})` : '';
    const losses = Object.entries(lost).map(([why, { count: n, detail }]) => `${count(n)} ${why} (${detail})`);
    ctx.run.notes.push(
      `held ${count(measurement.held)} of ${count(connections)} connections, each echoing, after ${count(measurement.durationMs)} ms` +
        ` (${plan.drivers} load driver${plan.drivers === 1 ? '' : 's'})${broke}${losses.length ? `; not echoing: ${losses.join(', ')}` : ''}`,
    );
    if (p.declared && measurement.held < connections) {
      throw new StepFailure(`the target declares it holds ${count(connections)} connections; ${count(measurement.held)} were open and echoing${broke}`, losses.map((l) => `not echoing: ${l}`));
    }
  },
});

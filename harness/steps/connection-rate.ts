import { Type } from '@sinclair/typebox';
import { connectionRate as measureRate } from '../load/measure';
import { StepFailure } from '../verdict/failure';
import { DescribedDuration, toMs } from '../vocabulary/units';
import { stepTimeoutMs } from './context';
import { CheckedRule, StepTimeout, defineStep } from './define';
import { MEASURING_DRIVERS, count, declared, destination, withDrivers } from './support/load-drivers';

const DEFAULT_CLIENTS = 8;
const MAX_CLIENTS = 1000;
const DEFAULT_FOR_MS = 5000;
/** The longest a rate is sustained. */
const MAX_FOR_MS = 60_000;

export const connectionRate = defineStep({
  name: 'connection-rate',
  summary:
    'Clients (default 8) each connect, echo a line, close, and again, for a fixed time (default 5s), ' +
    'from load driver processes; records connections completed per second and over time. With ' +
    'declared: true the rate must reach the one the target declares (needs: [capacity-rate]), with ' +
    'no connection failing; otherwise it only measures.',
  schema: Type.Object(
    {
      ...CheckedRule,
      clients: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_CLIENTS, description: 'connections under way at once (default 8)' })),
      for: Type.Optional(DescribedDuration('how long the rate is sustained (default 5s; at most 60s); part of the rule, not scaled')),
      declared: Type.Optional(Type.Boolean({ description: 'fail unless the rate reaches the one the target declares (--declare-capacity rate=N)' })),
      timeout: Type.Optional(StepTimeout),
    },
    { additionalProperties: false },
  ),
  needs: (p) => (p.declared ? ['capacity-rate'] : []),
  cost: (p) => ({ clients: p.clients ?? DEFAULT_CLIENTS }),
  check(p, _where, report) {
    if (p.for !== undefined && (toMs(p.for) > MAX_FOR_MS || toMs(p.for) === 0)) report(`for takes a duration from 1ms to ${MAX_FOR_MS / 1000}s`, 'for');
  },
  describe: (p) => `connect, echo, close with ${p.clients ?? DEFAULT_CLIENTS} clients for ${p.for ?? `${DEFAULT_FOR_MS} ms`}`,
  async run(p, ctx) {
    const wanted = p.declared ? declared(ctx, 'connectionsPerSecond', 'capacity-rate') : undefined;
    const clients = p.clients ?? DEFAULT_CLIENTS;
    const options = { ...destination(ctx), clients, durationMs: p.for === undefined ? DEFAULT_FOR_MS : toMs(p.for), timeoutMs: stepTimeoutMs(ctx, p.timeout) };
    const { measurement, firstFailure } = await withDrivers(ctx, Math.min(clients, MEASURING_DRIVERS), (drivers) => measureRate(drivers, options));
    ctx.run.measurements.push(measurement);
    const failed = measurement.failed ? `; ${count(measurement.failed)} failed (first: ${firstFailure})` : '';
    ctx.run.notes.push(`${count(measurement.perSecond)} connections per second (connect, echo, close; ${clients} clients, ${count(measurement.completed)} in ${count(measurement.durationMs)} ms)${failed}`);
    if (wanted === undefined) return;
    if (measurement.perSecond < wanted) throw new StepFailure(`the target declares ${count(wanted)} connections per second; it served ${count(measurement.perSecond)}${failed}`);
    if (measurement.failed) throw new StepFailure(`the target served ${count(measurement.perSecond)} connections per second, as declared, but ${count(measurement.failed)} failed (first: ${firstFailure})`);
  },
});

import { Type } from '@sinclair/typebox';
import { latency as measureLatency } from '../load/measure';
import { StepFailure } from '../verdict/failure';
import { MAX_PER_SECOND } from '../vocabulary/capacity';
import { DescribedDuration, toMs } from '../vocabulary/units';
import { stepTimeoutMs } from './context';
import { CheckedRule, StepTimeout, defineStep } from './define';
import { MEASURING_DRIVERS, count, declared, destination, ms, withDrivers } from './support/load-drivers';

const DEFAULT_CLIENTS = 10;
const MAX_CLIENTS = 1000;
const DEFAULT_PER_SECOND = 1000;
const DEFAULT_FOR_MS = 5000;
const MAX_FOR_MS = 60_000;
/** Round trips one measurement times at most (their times travel back from the drivers). */
const MAX_SAMPLES = 1_000_000;

export const latency = defineStep({
  name: 'latency',
  summary:
    'Offers small echo round trips at a fixed rate (default 1,000 per second) over clients (default ' +
    '10) for a fixed time (default 5s), from load driver processes, and records the percentiles of ' +
    'their times, each timed from when it was due (as wrk2 does: a round trip that waits for the ' +
    "previous one on its connection counts the wait). With declared: true the 99th percentile must " +
    'be within the one the target declares (needs: [capacity-latency]), with no round trip failing.',
  schema: Type.Object(
    {
      ...CheckedRule,
      perSecond: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PER_SECOND, description: 'round trips offered per second, all clients together (default 1,000)' })),
      clients: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_CLIENTS, description: 'connections the round trips are spread over (default 10)' })),
      for: Type.Optional(DescribedDuration('how long the rate is offered (default 5s; at most 60s); part of the rule, not scaled')),
      declared: Type.Optional(Type.Boolean({ description: 'fail unless the 99th percentile is within the one the target declares (--declare-capacity p99=DURATION)' })),
      timeout: Type.Optional(StepTimeout),
    },
    { additionalProperties: false },
  ),
  needs: (p) => (p.declared ? ['capacity-latency'] : []),
  cost: (p) => ({ connections: p.clients ?? DEFAULT_CLIENTS }),
  check(p, _where, report) {
    const forMs = p.for === undefined ? DEFAULT_FOR_MS : toMs(p.for);
    if (forMs > MAX_FOR_MS || forMs === 0) return report(`for takes a duration from 1ms to ${MAX_FOR_MS / 1000}s`, 'for');
    const samples = ((p.perSecond ?? DEFAULT_PER_SECOND) * forMs) / 1000;
    if (samples > MAX_SAMPLES) report(`${count(samples)} round trips (perSecond times for); a measurement times at most ${count(MAX_SAMPLES)}`, 'perSecond');
    if (samples < 1) report('perSecond times for offers no round trip at all', 'perSecond');
  },
  describe: (p) => `offer ${count(p.perSecond ?? DEFAULT_PER_SECOND)} echo round trips per second over ${p.clients ?? DEFAULT_CLIENTS} clients for ${p.for ?? `${DEFAULT_FOR_MS} ms`}`,
  async run(p, ctx) {
    const wantedMs = p.declared ? declared(ctx, 'p99Ms', 'capacity-latency') : undefined;
    const clients = p.clients ?? DEFAULT_CLIENTS;
    const options = { ...destination(ctx), clients, perSecond: p.perSecond ?? DEFAULT_PER_SECOND, durationMs: p.for === undefined ? DEFAULT_FOR_MS : toMs(p.for), timeoutMs: stepTimeoutMs(ctx, p.timeout) };
    const { measurement, firstError } = await withDrivers(ctx, Math.min(clients, MEASURING_DRIVERS), (drivers) => measureLatency(drivers, options));
    ctx.run.measurements.push(measurement);
    const at = (p: number) => measurement.percentiles.find((point) => point.p === p)?.ms;
    const errors = measurement.errors ? `; ${count(measurement.errors)} failed (first: ${firstError})` : '';
    const p99 = at(99);
    ctx.run.notes.push(
      `at ${count(options.perSecond)}/s over ${clients} clients: p50 ${ms(at(50))}, p90 ${ms(at(90))}, p99 ${ms(p99)}, p99.9 ${ms(at(99.9))}, max ${ms(measurement.maxMs)}` +
        ` (${count(measurement.samples)} round trips, timed from when each was due)${errors}`,
    );
    if (wantedMs === undefined) return;
    if (p99 === undefined || p99 > wantedMs) throw new StepFailure(`the target declares a 99th percentile round trip within ${wantedMs} ms at ${count(options.perSecond)}/s; it was ${ms(p99)}${errors}`);
    if (measurement.errors) throw new StepFailure(`the 99th percentile was within the declared ${wantedMs} ms, but ${count(measurement.errors)} round trips failed (first: ${firstError})`);
  },
});

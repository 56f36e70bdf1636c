import { Type } from '@sinclair/typebox';
import { datagramRate as measureDatagramRate } from '../load/measure';
import { MAX_PER_SECOND } from '../vocabulary/capacity';
import { DescribedDuration, toMs } from '../vocabulary/units';
import { stepTimeoutMs } from './context';
import { StepTimeout, defineStep } from './define';
import { MEASURING_DRIVERS, count, destination, ms, withDrivers } from './support/load-drivers';

const DEFAULT_FOR_MS = 5000;
const MAX_FOR_MS = 60_000;
const DEFAULT_SIZE = 64;
/** The largest datagram that fits one IPv4 packet of a 1,500-byte MTU (no fragments to lose). */
const MAX_SIZE = 1472;
/** Datagrams one measurement sends at most (their times travel back from the drivers). */
const MAX_DATAGRAMS = 1_000_000;

export const datagramRate = defineStep({
  name: 'datagram-rate',
  summary:
    'Offers numbered datagrams to a UDP service at a fixed rate for a fixed time (default 5s), from ' +
    "load driver processes, and records how many came back intact within the step's timeout of when " +
    'each was due (the rest lost) and the percentiles of their times, each timed from when its ' +
    'datagram was due. It measures and reports; it fails only when it cannot run.',
  schema: Type.Object(
    {
      perSecond: Type.Integer({ minimum: 1, maximum: MAX_PER_SECOND, description: 'datagrams offered per second' }),
      for: Type.Optional(DescribedDuration('how long the rate is offered (default 5s; at most 60s); part of the measurement, not scaled')),
      size: Type.Optional(Type.Integer({ minimum: 4, maximum: MAX_SIZE, description: 'bytes per datagram (default 64; its number takes the first 4)' })),
      timeout: Type.Optional(StepTimeout),
    },
    { additionalProperties: false },
  ),
  cost: (p) => ({ bytes: ((p.perSecond * (p.for === undefined ? DEFAULT_FOR_MS : toMs(p.for))) / 1000) * (p.size ?? DEFAULT_SIZE) }),
  check(p, _where, report) {
    const forMs = p.for === undefined ? DEFAULT_FOR_MS : toMs(p.for);
    if (forMs > MAX_FOR_MS || forMs === 0) return report(`for takes a duration from 1ms to ${MAX_FOR_MS / 1000}s`, 'for');
    const total = (p.perSecond * forMs) / 1000;
    if (total > MAX_DATAGRAMS) report(`${count(total)} datagrams (perSecond times for); a measurement sends at most ${count(MAX_DATAGRAMS)}`, 'perSecond');
    if (total < 1) report('perSecond times for offers no datagram at all', 'perSecond');
  },
  describe: (p) => `offer ${count(p.perSecond)} datagrams per second for ${p.for ?? `${DEFAULT_FOR_MS} ms`}`,
  async run(p, ctx) {
    const options = { ...destination(ctx, 'udp'), perSecond: p.perSecond, durationMs: p.for === undefined ? DEFAULT_FOR_MS : toMs(p.for), size: p.size ?? DEFAULT_SIZE, timeoutMs: stepTimeoutMs(ctx, p.timeout) };
    const { measurement, sent, wrong, firstWrong, sendError } = await withDrivers(ctx, MEASURING_DRIVERS, (drivers) => measureDatagramRate(drivers, options));
    ctx.run.measurements.push(measurement);
    const at = (q: number) => measurement.percentiles.find((point) => point.p === q)?.ms;
    const lost = sent ? ((100 * measurement.errors) / sent).toFixed(measurement.errors && measurement.errors * 1000 < sent ? 2 : 1) : '0';
    ctx.run.notes.push(
      `${count(measurement.samples)} of ${count(sent)} datagrams of ${options.size} B came back within ${options.timeoutMs} ms at ${count(p.perSecond)}/s (${lost}% lost): ` +
        `p50 ${ms(at(50))}, p90 ${ms(at(90))}, p99 ${ms(at(99))}, p99.9 ${ms(at(99.9))}, max ${ms(measurement.samples ? measurement.maxMs : undefined)}, each timed from when it was due` +
        `${wrong ? `; ${count(wrong)} echoes wrong (first: ${firstWrong})` : ''}${sendError ? `; sending stopped: ${sendError}` : ''}`,
    );
  },
});

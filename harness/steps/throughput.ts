import { Type } from '@sinclair/typebox';
import { throughput as measureThroughput } from '../load/measure';
import { StepFailure } from '../verdict/failure';
import { formatBytes, Size, toBytes } from '../vocabulary/units';
import { stepTimeoutMs } from './context';
import { CheckedRule, StepTimeout, defineStep } from './define';
import { MEASURING_DRIVERS, count, declared, destination, withDrivers } from './support/load-drivers';

const DEFAULT_BYTES = 64 * 1024 ** 2;
const MAX_STREAMS = 64;

export const throughput = defineStep({
  name: 'throughput',
  summary:
    'Streams (default 1) each send a seeded random payload (default 64MiB) and check every byte of ' +
    'its echo, all at once, from load driver processes; records bytes per second per stream. With ' +
    'declared: true (one stream) it must reach the bytes per second the target declares (needs: ' +
    '[capacity-throughput]); otherwise it only measures, and fails only when bytes come back wrong.',
  schema: Type.Object(
    {
      ...CheckedRule,
      streams: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_STREAMS, description: 'connections streaming at once (default 1)' })),
      bytes: Type.Optional(Size),
      declared: Type.Optional(Type.Boolean({ description: 'fail unless the stream reaches the bytes per second the target declares (--declare-capacity throughput=SIZE)' })),
      timeout: Type.Optional(StepTimeout),
    },
    { additionalProperties: false },
  ),
  needs: (p) => (p.declared ? ['capacity-throughput'] : []),
  cost: (p) => ({ connections: p.streams ?? 1, bytes: (p.streams ?? 1) * (p.bytes === undefined ? DEFAULT_BYTES : toBytes(p.bytes)) }),
  check(p, _where, report) {
    if (p.declared && (p.streams ?? 1) !== 1) report('the declared throughput is of one connection: declared: true goes with one stream', 'streams');
    if (p.bytes !== undefined && toBytes(p.bytes) === 0) report('bytes must be more than 0', 'bytes');
  },
  describe: (p) => `stream ${formatBytes(p.bytes === undefined ? DEFAULT_BYTES : toBytes(p.bytes))} through the echo on ${p.streams ?? 1} connection(s) at once`,
  async run(p, ctx) {
    const wanted = p.declared ? declared(ctx, 'bytesPerSecond', 'capacity-throughput') : undefined;
    const streams = p.streams ?? 1;
    const bytes = p.bytes === undefined ? DEFAULT_BYTES : toBytes(p.bytes);
    const options = { ...destination(ctx), streams, bytes, seed: ctx.seed, timeoutMs: stepTimeoutMs(ctx, p.timeout) };
    const { measurement, problems } = await withDrivers(ctx, Math.min(streams, MEASURING_DRIVERS), (drivers) => measureThroughput(drivers, options));
    ctx.run.measurements.push(measurement);
    const rates = measurement.streams.map((s) => s.bitsPerSecond / 8);
    const total = rates.reduce((a, b) => a + b, 0);
    ctx.run.notes.push(
      `${formatRate(total)} through ${streams} stream${streams === 1 ? '' : 's'} of ${formatBytes(bytes)}` +
        (streams > 1 ? ` (per stream ${formatRate(Math.min(...rates))} to ${formatRate(Math.max(...rates))})` : '') +
        (problems.length ? `; ${problems.length} not verified (first: ${problems[0]})` : ', every byte verified'),
    );
    if (problems.length) throw new StepFailure(`${problems.length} of ${streams} streams did not come back intact: ${problems[0]}`);
    if (wanted !== undefined && total < wanted) throw new StepFailure(`the target declares ${formatRate(wanted)} on one connection; it echoed ${formatRate(total)}`);
  },
});

/** Bytes per second, as MiB/s (and Gbit/s, which is how links are rated). */
function formatRate(bytesPerSecond: number): string {
  return `${count(bytesPerSecond / 1024 ** 2)} MiB/s (${((bytesPerSecond * 8) / 1e9).toFixed(2)} Gbit/s)`;
}

import { Type, type Static } from '@sinclair/typebox';
import { DIRECTIONS, type Conditions } from '../netns/conditions';
import { DescribedDuration, toMs } from '../vocabulary/units';
import { SuiteUsageError } from '../verdict/failure';
import { defineStep } from './define';

/** 0% to 100%, checked when the suite loads. */
const percent = (description: string) => Type.String({ pattern: '^(100(\\.0+)?|[0-9]{1,2}(\\.[0-9]+)?)%$', title: 'percentage from 0% to 100% ("20%", "0.5%")', description });

export const NetworkParams = Type.Object(
  {
    loss: Type.Optional(percent('packets dropped at random (nftables numgen random)')),
    direction: Type.Optional(Type.Union(DIRECTIONS.map((d) => Type.Literal(d)), { description: 'for loss, rate and netem: upstream (client to server), downstream, or both (default)' })),
    firewall: Type.Optional(Type.Union([Type.Literal('drop'), Type.Literal('reject')], { description: 'drop: every packet both ways (connects time out); reject: TCP reset, ICMP port unreachable for the rest' })),
    rate: Type.Optional(Type.String({ pattern: '^[0-9]+(B|KiB|MiB)/s$', title: 'bytes per second ("512KiB/s", "1MiB/s")', description: 'a bandwidth cap (tc tbf)' })),
    delay: Type.Optional(DescribedDuration('netem: added to each packet')),
    jitter: Type.Optional(DescribedDuration('netem: ± on the delay')),
    reorder: Type.Optional(percent('netem: packets sent ahead of the delayed ones')),
    duplicate: Type.Optional(percent('netem: packets sent twice')),
    for: Type.Optional(DescribedDuration('lift the conditions after this long, while the next steps run (it shapes the exchange: not scaled by --time-scale)')),
  },
  { additionalProperties: false },
);
export type NetworkParamsSpec = Static<typeof NetworkParams>;

const RATE_UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2 };

/** The conditions a step asks for, in the units the link takes (fractions, bytes per second, ms). */
export function toConditions(p: NetworkParamsSpec): Conditions {
  const share = (value: string | undefined) => (value === undefined ? undefined : Number(value.slice(0, -1)) / 100);
  const c: Conditions = {
    loss: share(p.loss),
    direction: p.direction,
    firewall: p.firewall,
    rate: p.rate === undefined ? undefined : bytesPerSecond(p.rate),
    delay: p.delay === undefined ? undefined : toMs(p.delay),
    jitter: p.jitter === undefined ? undefined : toMs(p.jitter),
    reorder: share(p.reorder),
    duplicate: share(p.duplicate),
  };
  for (const [key, value] of Object.entries(c)) if (value === undefined) delete c[key as keyof Conditions];
  return c;
}

/** `512KiB/s` in bytes per second; the schema has checked the form. */
function bytesPerSecond(rate: string): number {
  const [, count, unit] = /^([0-9]+)(B|KiB|MiB)\/s$/.exec(rate) ?? ['', '0', 'B'];
  return Number(count) * RATE_UNITS[unit];
}

export const network = defineStep({
  name: 'network',
  summary:
    "Sets conditions on the link to a server sockspec runs in a network namespace of its own: random loss and a " +
    'firewall (nftables), a bandwidth cap (tc tbf), delay, jitter, reordering and duplication (tc netem). It replaces ' +
    'the previous conditions; `{}` clears them, and they are always cleared when the case ends. A case with this step ' +
    'runs against the server in the namespace, and is skipped (with the reason) when the machine or the target cannot do it.',
  schema: NetworkParams,
  describe: (p) => `network: ${describe(p)}`,
  check(p, _where, report) {
    const c = toConditions(p);
    if (c.direction !== undefined && Object.keys(c).length === 1) report('a direction needs a condition (loss, rate or a netem one)', 'direction');
    if (c.reorder !== undefined && !c.delay) report('reorder needs a delay to reorder against', 'reorder');
  },
  async run(p, ctx) {
    const conditions = toConditions(p);
    if (!ctx.run.network) {
      throw new SuiteUsageError('network conditions need the server in a network namespace: run this case through the suite runtime (sockspec run or jest)');
    }
    await ctx.run.network.set(conditions, describe(p), p.for === undefined ? undefined : toMs(p.for));
  },
});

function describe(p: NetworkParamsSpec): string {
  const parts = Object.entries(p)
    .filter(([key]) => key !== 'direction' && key !== 'for')
    .map(([key, value]) => (key === 'firewall' ? `firewall ${value}` : `${key} ${value}`));
  if (parts.length === 0) return 'clear';
  return `${parts.join(', ')}${p.direction && p.direction !== 'both' ? ` ${p.direction}` : ''}`;
}

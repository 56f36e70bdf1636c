import type { Capability } from './capabilities';
import type { NetworkNamespace } from './namespace';

/** upstream: client to server; downstream: server to client. */
export const DIRECTIONS = ['upstream', 'downstream', 'both'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** Conditions on the veth pair between the clients and the server; none set means a clean link. */
export interface Conditions {
  /** Share of packets dropped at random (0 to 1), per direction. */
  loss?: number;
  direction?: Direction;
  /** drop: every packet is dropped both ways (a blackhole); reject: TCP is answered with RST, the rest with ICMP port unreachable. */
  firewall?: 'drop' | 'reject';
  /** Bytes per second the capped direction carries (tc tbf, or netem's rate when netem is in use). */
  rate?: number;
  /** netem: ms added to each packet, ± jitter ms. */
  delay?: number;
  jitter?: number;
  /** netem: share of packets sent out of order (0 to 1); needs a delay to reorder against. */
  reorder?: number;
  /** netem: share of packets sent twice (0 to 1). */
  duplicate?: number;
}

type Side = 'upstream' | 'downstream';

/** How fast a capped direction actually carried data while the cap was on. */
export interface RateReport {
  device: Side;
  cap: number;
  bytes: number;
  ms: number;
}

/** What a drop rule (loss, or the drop firewall) did in one direction while it was on. */
export interface DropReport {
  rule: 'loss' | 'drop';
  device: Side;
  /** The share of packets it drops: 1 for the firewall. */
  share: number;
  /** IP packets that reached the rule's chain, and those the rule dropped. */
  seen: number;
  dropped: number;
}

/** What the link did while the conditions were on: what the case can check they were in force. */
export interface LinkReport {
  rates: RateReport[];
  drops: DropReport[];
}

/** What the machine must have for these conditions (besides namespaces). */
export function requiredCapabilities(c: Conditions): Capability[] {
  const needs: Capability[] = [];
  if (c.loss !== undefined || c.firewall !== undefined) needs.push('nftables');
  if (usesNetem(c)) needs.push('netem');
  else if (c.rate !== undefined) needs.push('tbf');
  return needs;
}

function usesNetem(c: Conditions): boolean {
  return c.delay !== undefined || c.jitter !== undefined || c.reorder !== undefined || c.duplicate !== undefined;
}

const TABLE = 'sockspec';
/** Declaring each table first makes its delete valid whether or not it exists yet. */
const CLEAR_TABLES = ['netdev', 'inet'].map((family) => `table ${family} ${TABLE}\ndelete table ${family} ${TABLE}\n`).join('');
/** How often the capped device's byte counter is read to measure the rate. */
const SAMPLE_MS = 50;

/**
 * Applies conditions to one namespace's veth pair. Packet filtering (loss, firewall) is done by
 * nftables tables inside the namespace, on the inner end (see ruleset()). Queueing (rate, delay) is a root qdisc on the egress of each end: the inner
 * end for downstream, the host end for upstream. Everything lives on this run's own devices and
 * namespace, so removing the namespace removes it all.
 */
export class LinkConditions {
  private qdiscs: Side[] = [];
  private filtered = false;
  private drops: Array<Pick<DropReport, 'rule' | 'device' | 'share'>> = [];
  private meters: RateMeter[] = [];

  constructor(private readonly ns: NetworkNamespace) {}

  /** Whether any condition is on (also one applied only in part, when a later command failed). */
  get active(): boolean {
    return this.filtered || this.qdiscs.length > 0 || this.meters.length > 0;
  }

  /** Replaces whatever was applied before. */
  async apply(c: Conditions): Promise<void> {
    await this.clear();
    const sides = c.direction === 'upstream' ? (['upstream'] as const) : c.direction === 'downstream' ? (['downstream'] as const) : (['upstream', 'downstream'] as const);
    if (c.loss !== undefined || c.firewall !== undefined) {
      await this.ns.inside('nft', ['-f', '-'], this.ruleset(c, sides));
      this.filtered = true;
      this.drops = [
        ...(c.firewall === 'drop' ? (['upstream', 'downstream'] as const).map((device) => ({ rule: 'drop' as const, device, share: 1 })) : []),
        ...(c.loss === undefined ? [] : sides.map((device) => ({ rule: 'loss' as const, device, share: c.loss as number }))),
      ];
    }
    const qdisc = queueing(c);
    if (qdisc) {
      for (const side of sides) {
        await this.tc(side, ['qdisc', 'replace', 'dev', this.device(side), 'root', ...qdisc]);
        this.qdiscs.push(side);
      }
      const cap = c.rate;
      if (cap !== undefined) this.meters = sides.map((side) => new RateMeter(side, cap, () => this.sentBytes(side)));
    }
  }

  /** Removes every condition; returns what the link did while they were on. */
  async clear(): Promise<LinkReport> {
    const rates = await Promise.all(this.meters.map((meter) => meter.stop()));
    this.meters = [];
    let drops: DropReport[] = [];
    if (this.filtered) {
      // Read before the tables go: the counters go with them.
      drops = await this.dropCounts();
      await this.ns.inside('nft', ['-f', '-'], CLEAR_TABLES);
    }
    this.filtered = false;
    this.drops = [];
    for (const side of this.qdiscs) await this.tc(side, ['qdisc', 'del', 'dev', this.device(side), 'root']);
    this.qdiscs = [];
    return { rates, drops };
  }

  /**
   * Loss and the blackhole are netdev rules on the inner end's ingress and egress: dropped there,
   * a packet is simply lost, whereas a drop in the output hook fails the server's send (EPERM),
   * which no real network does. Reject needs the IP layer (RST, ICMP): the inet input hook. Each
   * drop rule counts what it dropped, and each chain what reached it (the "seen" rule), so that
   * clear() can tell whether the rules were in force.
   */
  private ruleset(c: Conditions, sides: readonly Side[]): string {
    const dev = this.ns.innerDevice;
    // Only IP: ARP must keep working, or the link would stay unusable for seconds after a blackhole.
    const ingress: string[] = ['meta protocol ip counter comment "seen"'];
    const egress: string[] = ['meta protocol ip counter comment "seen"'];
    const input: string[] = [];
    if (c.firewall === 'drop') {
      ingress.push('meta protocol ip counter drop comment "drop"');
      egress.push('meta protocol ip counter drop comment "drop"');
    }
    if (c.firewall === 'reject') input.push(`iifname "${dev}" meta l4proto tcp reject with tcp reset`, `iifname "${dev}" reject`);
    if (c.loss !== undefined) {
      const rule = `meta protocol ip numgen random mod 10000 < ${Math.round(c.loss * 10000)} counter drop comment "loss"`;
      if (sides.includes('upstream')) ingress.push(rule);
      if (sides.includes('downstream')) egress.push(rule);
    }
    const chain = (name: string, hook: string, rules: string[]) =>
      `  chain ${name} {\n    type filter hook ${hook} priority 0; policy accept;\n${rules.map((r) => `    ${r}\n`).join('')}  }\n`;
    return (
      `${CLEAR_TABLES}` +
      `table netdev ${TABLE} {\n${chain('ingress', `ingress device "${dev}"`, ingress)}${chain('egress', `egress device "${dev}"`, egress)}}\n` +
      `table inet ${TABLE} {\n${chain('input', 'input', input)}}\n`
    );
  }

  /** The drop rules' counters: the ingress chain carries upstream traffic, the egress chain downstream. */
  private async dropCounts(): Promise<DropReport[]> {
    const listing = JSON.parse(await this.ns.inside('nft', ['-j', 'list', 'table', 'netdev', TABLE])) as { nftables: NftObject[] };
    const packets = (chain: string, comment: string) =>
      listing.nftables
        .filter((o) => o.rule?.chain === chain && o.rule.comment === comment)
        .reduce((sum, o) => sum + (o.rule?.expr.find((e) => e.counter)?.counter?.packets ?? 0), 0);
    return this.drops.map((d) => {
      const chain = d.device === 'upstream' ? 'ingress' : 'egress';
      return { ...d, seen: packets(chain, 'seen'), dropped: packets(chain, d.rule) };
    });
  }

  private device(side: Side): string {
    return side === 'upstream' ? this.ns.hostDevice : this.ns.innerDevice;
  }

  private tc(side: Side, args: string[]): Promise<string> {
    return side === 'upstream' ? this.ns.outside('tc', args) : this.ns.inside('tc', args);
  }

  private async sentBytes(side: Side): Promise<number> {
    const stats = JSON.parse(await this.tc(side, ['-s', '-j', 'qdisc', 'show', 'dev', this.device(side)])) as Array<{ root?: boolean; bytes?: number }>;
    return stats.find((q) => q.root)?.bytes ?? 0;
  }
}

/** The part of `nft -j list table` the counters are read from. */
interface NftObject {
  rule?: { chain: string; comment?: string; expr: Array<{ counter?: { packets: number } }> };
}

/** The qdisc (kind and options) for the queueing conditions, or undefined when there are none. */
function queueing(c: Conditions): string[] | undefined {
  const rate = c.rate === undefined ? [] : ['rate', `${Math.round(c.rate)}bps`];
  if (usesNetem(c)) {
    const delay = c.delay ?? 0;
    return [
      'netem',
      'delay', `${delay}ms`, ...(c.jitter ? [`${c.jitter}ms`] : []),
      ...(c.reorder ? ['reorder', percent(c.reorder)] : []),
      ...(c.duplicate ? ['duplicate', percent(c.duplicate)] : []),
      ...rate,
    ];
  }
  if (c.rate === undefined) return undefined;
  return ['tbf', ...rate, 'burst', String(burstFor(c.rate)), 'latency', '100ms'];
}

/** The tbf bucket: 1/20 s of data, at least 32 KiB. What the link may carry at once beyond the rate. */
export function burstFor(rate: number): number {
  return Math.max(32 * 1024, Math.round(rate / 20));
}

function percent(share: number): string {
  return `${Math.round(share * 10000) / 100}%`;
}

/** One read of a byte counter: when the read began and when it returned (performance.now() ms). */
export interface ByteSample {
  startedAt: number;
  at: number;
  bytes: number;
}

/**
 * The rate between the last sample before traffic began and the first one after it ended, so idle
 * time before or after does not dilute it. A counter's value holds for some moment while its read
 * ran, which can be slow under load; the interval is taken from when the first read began to
 * when the last returned, the longest it can be, so a slow read never overstates the rate.
 */
export function measuredRate(device: Side, cap: number, samples: readonly ByteSample[]): RateReport {
  if (samples.length === 0) return { device, cap, bytes: 0, ms: 1 };
  const first = samples[0];
  const last = samples[samples.length - 1];
  const before = [...samples].reverse().find((s) => s.bytes === first.bytes) ?? first;
  const after = samples.find((s) => s.bytes === last.bytes) ?? last;
  return { device, cap, bytes: after.bytes - before.bytes, ms: Math.max(1, after.at - before.startedAt) };
}

/** Samples a capped device's byte counter every SAMPLE_MS while the cap is on. */
class RateMeter {
  private readonly samples: ByteSample[] = [];
  private readonly timer: NodeJS.Timeout;
  private reading: Promise<void> = Promise.resolve();
  private busy = false;

  constructor(
    private readonly device: Side,
    private readonly cap: number,
    private readonly read: () => Promise<number>,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), SAMPLE_MS).unref();
  }

  async stop(): Promise<RateReport> {
    clearInterval(this.timer);
    await this.reading;
    this.sample();
    await this.reading;
    return measuredRate(this.device, this.cap, this.samples);
  }

  private sample(): void {
    // One read at a time: a tick that finds one still running is skipped.
    if (this.busy) return;
    this.busy = true;
    const startedAt = performance.now();
    this.reading = this.read().then(
      (bytes) => {
        this.samples.push({ startedAt, at: performance.now(), bytes });
      },
      () => undefined,
    ).finally(() => {
      this.busy = false;
    });
  }
}

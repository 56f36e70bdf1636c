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

/** How fast the capped direction actually carried data while the cap was on. */
export interface RateReport {
  device: 'upstream' | 'downstream';
  cap: number;
  bytes: number;
  ms: number;
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
  private qdiscs: Array<'upstream' | 'downstream'> = [];
  private filtered = false;
  private meter: RateMeter | undefined;

  constructor(private readonly ns: NetworkNamespace) {}

  /** Replaces whatever was applied before. */
  async apply(c: Conditions): Promise<void> {
    await this.clear();
    const sides = c.direction === 'upstream' ? (['upstream'] as const) : c.direction === 'downstream' ? (['downstream'] as const) : (['upstream', 'downstream'] as const);
    if (c.loss !== undefined || c.firewall !== undefined) {
      await this.ns.inside('nft', ['-f', '-'], this.ruleset(c, sides));
      this.filtered = true;
    }
    const qdisc = queueing(c);
    if (qdisc) {
      for (const side of sides) {
        await this.tc(side, ['qdisc', 'replace', 'dev', this.device(side), 'root', ...qdisc]);
        this.qdiscs.push(side);
      }
      if (c.rate !== undefined) this.meter = new RateMeter(sides[sides.length - 1], c.rate, () => this.sentBytes(sides[sides.length - 1]));
    }
  }

  /** Removes every condition; returns the measured rate when a cap was on. */
  async clear(): Promise<RateReport | undefined> {
    const report = await this.meter?.stop();
    this.meter = undefined;
    if (this.filtered) await this.ns.inside('nft', ['-f', '-'], CLEAR_TABLES);
    this.filtered = false;
    for (const side of this.qdiscs) await this.tc(side, ['qdisc', 'del', 'dev', this.device(side), 'root']);
    this.qdiscs = [];
    return report;
  }

  /**
   * Loss and the blackhole are netdev rules on the inner end's ingress and egress: dropped there,
   * a packet is simply lost, whereas a drop in the output hook fails the server's send (EPERM),
   * which no real network does. Reject needs the IP layer (RST, ICMP): the inet input hook.
   */
  private ruleset(c: Conditions, sides: readonly ('upstream' | 'downstream')[]): string {
    const dev = this.ns.innerDevice;
    const ingress: string[] = [];
    const egress: string[] = [];
    const input: string[] = [];
    // Only IP: ARP must keep working, or the link would stay unusable for seconds after a blackhole.
    if (c.firewall === 'drop') {
      ingress.push('meta protocol ip drop');
      egress.push('meta protocol ip drop');
    }
    if (c.firewall === 'reject') input.push(`iifname "${dev}" meta l4proto tcp reject with tcp reset`, `iifname "${dev}" reject`);
    if (c.loss !== undefined) {
      const rule = `meta protocol ip numgen random mod 10000 < ${Math.round(c.loss * 10000)} drop`;
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

  private device(side: 'upstream' | 'downstream'): string {
    return side === 'upstream' ? this.ns.hostDevice : this.ns.innerDevice;
  }

  private tc(side: 'upstream' | 'downstream', args: string[]): Promise<string> {
    return side === 'upstream' ? this.ns.outside('tc', args) : this.ns.inside('tc', args);
  }

  private async sentBytes(side: 'upstream' | 'downstream'): Promise<number> {
    const stats = JSON.parse(await this.tc(side, ['-s', '-j', 'qdisc', 'show', 'dev', this.device(side)])) as Array<{ root?: boolean; bytes?: number }>;
    return stats.find((q) => q.root)?.bytes ?? 0;
  }
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

/**
 * Samples the capped device's byte counter; the rate is taken between the last sample before
 * traffic began and the first one after it ended, so idle time before or after does not dilute it.
 */
class RateMeter {
  private readonly samples: Array<{ at: number; bytes: number }> = [];
  private readonly timer: NodeJS.Timeout;
  private reading: Promise<void> = Promise.resolve();
  private busy = false;

  constructor(
    private readonly device: 'upstream' | 'downstream',
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
    if (this.samples.length === 0) return { device: this.device, cap: this.cap, bytes: 0, ms: 1 };
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    const before = [...this.samples].reverse().find((s) => s.bytes === first.bytes) ?? first;
    const after = this.samples.find((s) => s.bytes === last.bytes) ?? last;
    return { device: this.device, cap: this.cap, bytes: after.bytes - before.bytes, ms: Math.max(1, after.at - before.at) };
  }

  private sample(): void {
    // One read at a time: a tick that finds one still running is skipped.
    if (this.busy) return;
    this.busy = true;
    this.reading = this.read().then(
      (bytes) => {
        this.samples.push({ at: performance.now(), bytes });
      },
      () => undefined,
    ).finally(() => {
      this.busy = false;
    });
  }
}

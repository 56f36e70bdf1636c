import { burstFor, type DropReport, type LinkReport, type RateReport } from './conditions';

/**
 * A case relies on its conditions: a link that was faster than its cap, or drop rules that dropped
 * nothing, means the case did not test what it says. Each check errs towards "in force", so that
 * it can fail a broken link, never a correct server.
 */
export function notInForce(report: LinkReport): string | undefined {
  const fast = report.rates.find((r) => r.bytes > allowance(r));
  if (fast) return `the ${fast.device} link carried more than its cap (${describeRate(fast)}): the rate condition was not in force`;
  const blackhole = report.drops.filter((d) => d.rule === 'drop');
  // Nothing may cross one way while a blackhole is on (the server has nothing to answer), so it is
  // the two ways together that must have dropped something.
  if (blackhole.length > 0 && blackhole.every((d) => d.dropped === 0)) {
    return `the drop firewall dropped no packet (${blackhole.map(describeDrops).join(', ')}): the firewall condition was not in force`;
  }
  const lossless = report.drops.find((d) => d.rule === 'loss' && d.dropped === 0 && chanceOfNoDrop(d) < 1e-6);
  if (lossless) return `the loss rule dropped none of ${describeDrops(lossless)}, a chance below 1 in a million: the loss condition was not in force`;
  return undefined;
}

/** What the notes say about the link while the conditions were on. */
export function linkNotes(report: LinkReport): string[] {
  return [
    ...report.rates.map(describeRate),
    ...report.drops.map((d) => `${d.device} ${d.rule === 'loss' ? 'loss' : 'drop firewall'}: ${describeDrops(d)}`),
  ];
}

/** The rate for the time measured, 5% for the sampling, and one bucket of burst. */
function allowance(report: RateReport): number {
  return report.cap * (report.ms / 1000) * 1.05 + burstFor(report.cap);
}

/** How likely it is that a rule dropping this share at random let every packet it saw through. */
function chanceOfNoDrop(d: DropReport): number {
  return (1 - d.share) ** d.seen;
}

function describeRate({ device, cap, bytes, ms }: RateReport): string {
  const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  return `${device} rate ${kib(bytes / (ms / 1000))}/s (cap ${kib(cap)}/s after a ${kib(burstFor(cap))} burst): ${kib(bytes)} on the wire, headers included, in ${(ms / 1000).toFixed(2)} s`;
}

function describeDrops(d: DropReport): string {
  return `${d.dropped} of ${d.seen} IP packets dropped ${d.device}`;
}

import type { Transcript } from '../net/transcript';
import { StepFailure } from '../verdict/failure';
import { burstFor, type Conditions, type LinkConditions, type RateReport } from './conditions';

/**
 * The network conditions of one case: set by `network` steps, lifted by a timer when a step says
 * for how long, and always cleared when the case ends. Each change is a transcript note, so a
 * failure's timeline shows when the link changed.
 */
export class CaseNetwork {
  private applied = false;
  private pendingLift: { timer: NodeJS.Timeout; lifted?: Promise<unknown> } | undefined;

  constructor(
    private readonly link: LinkConditions,
    private readonly transcript: Transcript,
    private readonly notes: string[],
  ) {}

  /** Replaces the conditions; `forMs`: lift them again after that long (while later steps run). */
  async set(conditions: Conditions, description: string, forMs?: number): Promise<void> {
    await this.cancelLift();
    checkCap(await this.clear());
    if (Object.keys(conditions).length === 0) return;
    await this.link.apply(conditions);
    this.applied = true;
    this.transcript.record('sockspec', 'note', `network: ${description}${forMs === undefined ? '' : ` for ${forMs} ms`}`);
    if (forMs === undefined) return;
    const lift: { timer: NodeJS.Timeout; lifted?: Promise<unknown> } = {
      timer: setTimeout(() => {
        lift.lifted = this.clear().catch(() => undefined);
      }, forMs),
    };
    this.pendingLift = lift;
  }

  /** At the end of the case, whatever its verdict: nothing carries over to the next case. */
  async end(): Promise<void> {
    await this.cancelLift();
    await this.clear();
  }

  private async cancelLift(): Promise<void> {
    const lift = this.pendingLift;
    this.pendingLift = undefined;
    if (!lift) return;
    clearTimeout(lift.timer);
    await lift.lifted;
  }

  private async clear(): Promise<RateReport | undefined> {
    if (!this.applied) return undefined;
    this.applied = false;
    const report = await this.link.clear();
    this.transcript.record('sockspec', 'note', 'network: conditions cleared');
    if (report) this.notes.push(describeRate(report));
    return report;
  }
}

/** The rate for the time measured, 5% for the sampling, and one bucket of burst. */
function allowance(report: RateReport): number {
  return report.cap * (report.ms / 1000) * 1.05 + burstFor(report.cap);
}

/** The cap is what the case relies on: a link faster than it means the condition was not in force. */
function checkCap(report: RateReport | undefined): void {
  if (!report || report.bytes <= allowance(report)) return;
  throw new StepFailure(`the ${report.device} link carried more than its cap (${describeRate(report)}): the rate condition was not in force`);
}

function describeRate({ device, cap, bytes, ms }: RateReport): string {
  const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  return `${device} rate ${kib(bytes / (ms / 1000))}/s (cap ${kib(cap)}/s after a ${kib(burstFor(cap))} burst): ${kib(bytes)} on the wire, headers included, in ${(ms / 1000).toFixed(2)} s`;
}

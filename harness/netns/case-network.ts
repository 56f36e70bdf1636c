import type { Transcript } from '../net/transcript';
import { StepFailure } from '../verdict/failure';
import type { Conditions, LinkConditions } from './conditions';
import { linkNotes, notInForce } from './in-force';
import { NamespaceError } from './namespace-error';

/**
 * The network conditions of one case: set by `network` steps, lifted by a timer when a step says
 * for how long, and always cleared when the case ends. Each change is a transcript note, so a
 * failure's timeline shows when the link changed. Each clearing checks that the conditions were
 * in force (in-force.ts).
 */
export class CaseNetwork {
  /** The last set(), still running when the case deadline ended its step: end() waits for it. */
  private inFlight: Promise<void> = Promise.resolve();
  private pendingLift: { timer: NodeJS.Timeout; lifted?: Promise<void> } | undefined;
  /** What a timer's clearing found (a condition not in force), reported by the next step or the end. */
  private lateFailure: StepFailure | undefined;
  private ended = false;

  constructor(
    private readonly link: LinkConditions,
    private readonly transcript: Transcript,
    private readonly notes: string[],
  ) {}

  /** Replaces the conditions; `forMs`: lift them again after that long (while later steps run). */
  set(conditions: Conditions, description: string, forMs?: number): Promise<void> {
    // One change at a time, in order: parallel clients may each have a network step.
    const work = this.inFlight.catch(() => undefined).then(() => this.replace(conditions, description, forMs));
    this.inFlight = work;
    return work;
  }

  /** At the end of the case, whatever its verdict: nothing carries over to the next case. */
  async end(): Promise<void> {
    this.ended = true;
    await this.inFlight.catch(() => undefined);
    await this.cancelLift();
    await this.clear();
  }

  private async replace(conditions: Conditions, description: string, forMs: number | undefined): Promise<void> {
    // A step the case deadline cut short can get here after the case has ended: it changes nothing.
    if (this.ended) return;
    await this.cancelLift();
    await this.clear();
    if (Object.keys(conditions).length === 0) return;
    await asFailure(this.link.apply(conditions), `could not set the network conditions (${description})`);
    this.transcript.record('sockspec', 'note', `network: ${description}${forMs === undefined ? '' : ` for ${forMs} ms`}`);
    if (forMs === undefined) return;
    const lift: { timer: NodeJS.Timeout; lifted?: Promise<void> } = {
      timer: setTimeout(() => {
        lift.lifted = this.clear().catch((err: StepFailure) => {
          this.lateFailure ??= err;
        });
      }, forMs),
    };
    this.pendingLift = lift;
  }

  private async cancelLift(): Promise<void> {
    const lift = this.pendingLift;
    this.pendingLift = undefined;
    if (!lift) return;
    clearTimeout(lift.timer);
    await lift.lifted;
  }

  /** Clears whatever is on (the link knows, even of conditions applied in part), then checks them. */
  private async clear(): Promise<void> {
    const wasActive = this.link.active;
    const report = await asFailure(this.link.clear(), 'could not clear the network conditions');
    if (wasActive) this.transcript.record('sockspec', 'note', 'network: conditions cleared');
    this.notes.push(...linkNotes(report));
    const failure = this.lateFailure ?? failureOf(notInForce(report));
    this.lateFailure = undefined;
    if (failure) throw failure;
  }
}

function failureOf(why: string | undefined): StepFailure | undefined {
  return why === undefined ? undefined : new StepFailure(why);
}

/** A tool's failure on the link (nft, tc) is the case's failure, with the tool's line, not a stack. */
async function asFailure<T>(work: Promise<T>, what: string): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof NamespaceError) throw new StepFailure(`${what}: ${err.message}`);
    throw err;
  }
}

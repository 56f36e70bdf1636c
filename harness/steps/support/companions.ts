import type { CaseRun, StepContext } from '../context';
import { caseState } from './case-state';
import { recordSyns, type Attempt, type SynCapture } from './syn-capture';
import type { ClientProcess } from '../../targets/client-process';
import { freePort } from '../../targets/free-port';

/**
 * The companions of a case's client: the copies start-client's `copies` starts beside it, at the
 * same moment, to see whether clients refused together come back together. Each is refused on a
 * port of its own for the whole case (nothing ever listens there) and has its own capture, so every
 * attempt is its copy's. The main client stays the one every other step sees; the companions are
 * only compared with it (expect-attempts `delays: apart`), and killed when the case ends.
 */
export interface Companion {
  /** 2 for the first companion: the main client is copy 1. */
  readonly copy: number;
  readonly port: number;
  readonly capture: SynCapture;
  client?: ClientProcess;
}

const companionState = caseState(() => ({ companions: [] as Companion[] }));

/** The case's companions, in order; none unless start-client was given `copies`. */
export function companionsOf(run: CaseRun): readonly Companion[] {
  return companionState(run).companions;
}

/**
 * Readies `count` companions on host (a refused port and its capture each), before the main client
 * starts; the function returned starts them all at once with `start`, right after the main client.
 * `mainPort` is the main client's: free now too, but its attempts are not a companion's.
 */
export async function readyCompanions(ctx: StepContext, host: string, mainPort: number, count: number): Promise<(start: (port: number) => ClientProcess) => void> {
  // Free, and nothing will listen there: the kernel refuses every attempt.
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await freePort('tcp', host);
    if (port !== mainPort && !ports.includes(port)) ports.push(port);
  }
  const companions = await Promise.all(
    ports.map(async (port, i): Promise<Companion> => {
      const copy = i + 2;
      return { copy, port, capture: await recordSyns(ctx, host, port, copyName(copy)) };
    }),
  );
  companionState(ctx.run).companions.push(...companions);
  ctx.onCleanup(async () => {
    await Promise.all(companions.map((companion) => companion.client?.kill()));
  });
  const transcript = ctx.run.transcript;
  return (start) => {
    for (const companion of companions) {
      const client = start(companion.port);
      companion.client = client;
      transcript.record(copyName(companion.copy), 'note', `started (pid ${client.pid ?? 'none'}), refused throughout on ${host}:${companion.port}`);
      void client.exited.then(() => transcript.record(copyName(companion.copy), 'note', `exited: ${client.exitDescription}`));
    }
  };
}

function copyName(copy: number): string {
  return `copy ${copy}`;
}

/**
 * How many of the delays must differ between the copies for them not to be in lock-step. Two, not
 * one: a client descheduled once on a loaded machine stretches one delay, and a lock-step client
 * passed that way in CI. Copies that jitter independently (this suite's policy, tolerance 40 ms)
 * show fewer than two such delays about once in 38,000 runs (simulated, 2 million runs).
 */
const APART_DELAYS = 2;

/**
 * Why the copies' attempts show lock-step, or undefined when they do not. Each delay (between a
 * copy's attempts k and k + 1) is compared across the copies: lock-step is when fewer than
 * APART_DELAYS of the delays all copies made differ by more than `toleranceMs` between them.
 * Delays, not times from each copy's first attempt: one stretched delay shifts every later time,
 * and would count as many. `copies[0]` is the main client's attempts.
 */
export function lockStepProblem(copies: ReadonlyArray<readonly Attempt[]>, toleranceMs: number): string | undefined {
  const delays = copies.map((attempts) => attempts.slice(1).map((attempt, k) => Math.round(attempt.at - attempts[k].at)));
  const compared = Math.min(...delays.map((copy) => copy.length));
  const described = describeCopies(copies);
  if (compared < APART_DELAYS) return `a copy made fewer than ${APART_DELAYS + 1} attempts: too few retries to compare (delays in ms, ${described})`;
  const spreads = Array.from({ length: compared }, (_, k) => {
    const kth = delays.map((copy) => copy[k]);
    return Math.max(...kth) - Math.min(...kth);
  });
  const apart = spreads.filter((spread) => spread > toleranceMs).length;
  if (apart >= APART_DELAYS) return undefined;
  return (
    `the ${copies.length} copies, started together, retried in lock-step: of their delays 1 to ${compared}, ${apart === 0 ? 'none' : `only ${apart}`} differed by more than ${toleranceMs} ms between the copies ` +
    `(spreads ${spreads.join(', ')} ms; copies that jitter differ in at least ${APART_DELAYS}); delays in ms, ${described}`
  );
}

/** Each copy's delays between its attempts, in ms: what a failure and the case's notes show. */
export function describeCopies(copies: ReadonlyArray<readonly Attempt[]>): string {
  return copies.map((attempts, i) => `copy ${i + 1}: ${attempts.slice(1).map((attempt, k) => Math.round(attempt.at - attempts[k].at)).join(', ') || 'none'}`).join('; ');
}

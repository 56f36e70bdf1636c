/** Where in a case a failure happened: `6.2` is the second step inside step 6. */
export interface StepLocation {
  path: string;
  description: string;
}

/**
 * A step that did not see what it expected. `summary` is one line (what was expected, what came);
 * `details` are the evidence lines (hex dumps, offsets, counts). The step runner records which step
 * it was; the case runner adds the requirement and the timeline around it.
 */
export class StepFailure extends Error {
  step: StepLocation | undefined;
  /** When one client of a parallel step failed: its suffix (`#7`), so the timeline shows only it. */
  client: string | undefined;

  constructor(
    readonly summary: string,
    readonly details: string[] = [],
    step?: StepLocation,
  ) {
    super(summary);
    this.name = 'StepFailure';
    this.step = step;
  }
}

/**
 * A negative check (refused, not selected) that could not be made: the server gave no evidence of
 * speaking the protocol at all (plaintext, an echo, a hang-up on every connection), so its
 * "refusal" proves nothing. The case fails, but the rule the step checks is not said broken: the
 * failure is a precondition of that check (run/attribution.ts).
 */
export class NoEvidence extends StepFailure {}

/**
 * A wire check that cannot trust the packet capture: tcpdump's kernel buffer overflowed while the
 * case ran (a machine too busy to keep up with loopback), or the capture misses packets the
 * case's own socket calls prove were sent. It says nothing of the server, so the run runs the case
 * once more (run/run-case.ts).
 */
export class CaptureLoss extends NoEvidence {}

/**
 * A mistake in the suite found only while running (e.g. a step names a connection never opened):
 * not the server's failure, so not a StepFailure. The case is reported as an error (JUnit
 * <error>), and the run exits with 2, as for a suite the loader refuses. What can be found before
 * a case runs is found at load instead (a step kind's `check` and `needs`, steps/define.ts).
 */
export class SuiteUsageError extends Error {
  /** The step that found it; the step runner sets it. */
  step: StepLocation | undefined;

  constructor(message: string) {
    super(message);
    this.name = 'SuiteUsageError';
  }
}

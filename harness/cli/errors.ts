/** A mistake in how sockspec was called: printed with a hint, exit code 2, no stack trace. */
export class UsageError extends Error {
  readonly code = 'EUSAGE';
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT = {
  /** Every required case passed. */
  pass: 0,
  /** A required case failed (a `must`, or a `should` with --strict). */
  fail: 1,
  /** Bad usage, a malformed suite, or a target that would not start. */
  error: 2,
  /** Interrupted (Ctrl-C). */
  interrupted: 130,
} as const;

import { Type } from '@sinclair/typebox';
import { StepFailure } from '../verdict/failure';
import { defineStep } from './define';
import type { Step } from './registry';

/**
 * Marks where a case reaches what it checks. A failure before that is the case's setup failing:
 * the verdict stays fail (a server the case cannot be set up against cannot pass it), but the
 * message says the subject was never reached, so it is not read as a breach of the case's rule.
 */
export const subject = defineStep({
  name: 'subject',
  summary:
    'Marks where the case reaches what it checks (a few words). A failure in an earlier step is reported ' +
    'as the setup failing before that subject was reached.',
  schema: Type.String({ minLength: 1, description: 'what the case checks from here on' }),
  describe: (p) => `subject: ${p}`,
  async run(_p, ctx) {
    ctx.run.progress.subjectReached = true;
  },
});

/** The subject a case marks among its top-level steps, if any. */
export function subjectOf(steps: readonly Step[]): string | undefined {
  for (const step of steps) if ('subject' in step) return step.subject;
  return undefined;
}

/** The failure as reported when it came before the case reached its subject. */
export function beforeSubject(failure: StepFailure, subjectText: string): StepFailure {
  const reported = new StepFailure(`setup failed before the case reached its subject (${subjectText}): ${failure.summary}`, failure.details, failure.step);
  reported.client = failure.client;
  return reported;
}

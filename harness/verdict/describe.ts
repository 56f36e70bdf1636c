import type { CaseOutcome } from '../run/run-case';
import { timeline } from './timeline';

const INDENT = '  ';

/**
 * The text a failed case is reported with (terminal, JUnit <failure>, reports): the rule broken,
 * the step that saw it, what was expected and what arrived, then the connection's timeline.
 */
export function describeFailure(outcome: CaseOutcome): string {
  const failure = outcome.failure;
  if (!failure) return '';
  const step = failure.step ? `step ${failure.step.path} (${failure.step.description})` : 'the case';
  return [
    `${outcome.suite}/${outcome.caseId} [${outcome.level}] ${outcome.title}`,
    `requirement (${outcome.ref}): ${outcome.requirement.trim()}`,
    `failed at ${step}:`,
    `${INDENT}${failure.summary}`,
    ...failure.details.map((line) => `${INDENT}${INDENT}${line}`),
    failure.client ? `timeline of client ${failure.client}:` : 'timeline:',
    ...timeline(outcome.transcript, 24, failure.client).map((line) => `${INDENT}${line}`),
    ...outcome.notes.map((note) => `note: ${note}`),
  ].join('\n');
}

import type { CaseOutcome } from '../run/run-case';
import type { Attribution } from '../run/attribution';
import { bundledRuleBook } from '../suite/rules';
import type { RuleLevel } from '../suite/rules-schema';
import { timeline } from '../verdict/timeline';

const INDENT = '  ';

/** A rule as a failure quotes it from its catalogue (suites/rules). */
export interface RuleRef {
  id: string;
  level: RuleLevel;
  text: string;
}

/** The catalogue's words for a rule a loaded suite cites (the loader checked that it exists). */
export function ruleRef(id: string): RuleRef | undefined {
  const rule = bundledRuleBook().get(id);
  return rule && { id, level: rule.level, text: rule.text.trim() };
}

/** The one rule a failure is charged to, if it is charged to exactly one: its step's, or the only rule it can be. */
export function brokenRule(attribution: Attribution | undefined): RuleRef | undefined {
  return attribution?.rules.length === 1 ? ruleRef(attribution.rules[0]) : undefined;
}

/** What a failure says of the rules before anything else, on one line (the JUnit failure's message starts with it). */
function attributionLabel(attribution: Attribution): string {
  const one = brokenRule(attribution);
  const charged = one ? `breaks ${one.id} [${one.level}]` : attribution.rules.length ? `breaks one of ${attribution.rules.join(', ')}` : '';
  if (attribution.as !== 'precondition') return charged;
  return `${preconditionHead(attribution)}${charged ? `, ${charged}` : ''}`;
}

/** The failing step's one line, with the rules it is charged to in front. */
export function failureSummary(outcome: CaseOutcome): string | undefined {
  if (!outcome.failure) return undefined;
  return outcome.attribution ? `${attributionLabel(outcome.attribution)}: ${outcome.failure.summary}` : outcome.failure.summary;
}

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
    ...(outcome.attribution ? attributionLines(outcome.attribution) : []),
    `failed at ${step}:`,
    `${INDENT}${failure.summary}`,
    ...failure.details.map((line) => `${INDENT}${INDENT}${line}`),
    failure.client ? `timeline of client ${failure.client}:` : 'timeline:',
    ...timeline(outcome.transcript, 24, failure.client).map((line) => `${INDENT}${line}`),
    ...outcome.notes.map((note) => `note: ${note}`),
  ].join('\n');
}

/** The rules a failure breaks, each quoted; a precondition names the rules whose checks it did not reach. */
function attributionLines(attribution: Attribution): string[] {
  const quoted = (id: string) => {
    const rule = ruleRef(id);
    return rule ? `${id} [${rule.level}]: "${rule.text}"` : id;
  };
  const { rules } = attribution;
  if (attribution.as === 'precondition') {
    const head = preconditionHead(attribution);
    if (rules.length === 0) return [`${head}: the case failed setting up, so it says nothing of these rules`];
    if (rules.length === 1) return [`${head}, breaks ${quoted(rules[0])}`];
    return [`${head}, breaks one of the rules its set-up checks:`, ...rules.map((id) => `${INDENT}${quoted(id)}`)];
  }
  if (rules.length === 1) return [`breaks ${quoted(rules[0])}`];
  return ["breaks one of the case's rules (the failing step names none):", ...rules.map((id) => `${INDENT}${quoted(id)}`)];
}

function preconditionHead(attribution: Attribution): string {
  return `precondition failed (before the checks of ${(attribution.notReached ?? []).join(', ')})`;
}

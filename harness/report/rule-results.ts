import { bundledRuleBook } from '../suite/rules';
import type { RuleLevel } from '../suite/rules-schema';
import type { OutcomeRecord } from './outcome-record';

/** How a rule fared in a run, from the cases citing it. */
export type RuleVerdict = 'passed' | 'failed' | 'not run';

/** A rule the run's cases cite, with those cases (`suite/case`) and its verdict in the run. */
export interface RuleResult {
  id: string;
  level: RuleLevel;
  text: string;
  verdict: RuleVerdict;
  cases: string[];
}

/**
 * The rules the recorded cases cite, in catalogue order. A rule failed when a case citing it failed
 * with the failure charged to it (the failing step's rule; after a failed precondition, the rules
 * no step names; otherwise the case's rules); else it passed when a case citing it passed; else no
 * case got as far as checking it (skipped, or failed on a precondition or on another rule's check).
 */
export function ruleResults(records: readonly OutcomeRecord[]): RuleResult[] {
  const citing = new Map<string, OutcomeRecord[]>();
  for (const r of records) for (const id of r.rules ?? []) citing.set(id, [...(citing.get(id) ?? []), r]);
  return bundledRuleBook()
    .all()
    .filter((rule) => citing.has(rule.id))
    .map((rule) => {
      const cases = citing.get(rule.id) as OutcomeRecord[];
      return { id: rule.id, level: rule.level, text: rule.text.trim(), verdict: verdictOf(rule.id, cases), cases: cases.map((r) => `${r.suite}/${r.caseId}`) };
    });
}

function verdictOf(id: string, cases: readonly OutcomeRecord[]): RuleVerdict {
  if (cases.some((r) => r.verdict === 'fail' && chargedTo(r).includes(id))) return 'failed';
  return cases.some((r) => r.verdict === 'pass') ? 'passed' : 'not run';
}

/** The rules a failed case's failure is charged to: after a failed precondition, those it did not fail to reach. */
function chargedTo(r: OutcomeRecord): string[] {
  if (r.rule) return [r.rule.id];
  return (r.rules ?? []).filter((id) => !r.precondition?.includes(id));
}

const RANK: Record<RuleVerdict, number> = { 'not run': 0, passed: 1, failed: 2 };

/** The rules of runs split with --shard, as one run: each rule's cases joined, failed over passed over not run. */
export function mergeRuleResults(lists: readonly (readonly RuleResult[])[]): RuleResult[] {
  const byId = new Map<string, RuleResult>();
  for (const rule of lists.flat()) {
    const seen = byId.get(rule.id);
    byId.set(rule.id, seen ? { ...seen, cases: [...seen.cases, ...rule.cases], verdict: RANK[rule.verdict] > RANK[seen.verdict] ? rule.verdict : seen.verdict } : rule);
  }
  return [...byId.values()];
}

import type { CatalogueRule } from './rules';
import type { RuleLevel } from './rules-schema';
import type { Suite } from './schema';

/**
 * A deliberately broken server as coverage sees it: the suite whose cases it was run against, the
 * rules its bug breaks and the cases it fails. The mutants live in the project's checkout
 * (fixtures/mutants), not in the package, so they are an input here, never an import.
 */
export interface MutantRecord {
  suite: string;
  name: string;
  breaks: readonly string[];
  kills: readonly string[];
}

export interface RuleCoverage {
  rule: CatalogueRule;
  /** Every case citing the rule, as `suite/case`. */
  cases: string[];
  /** Every mutant, as `suite/mutant`, that breaks the rule and fails a case citing it. */
  provenBy: string[];
}

/** Why a rule counts as a hole, if it does: a MUST rule the wire could check, unchecked or unproven. */
export type Hole = 'no case cites it' | 'no mutant breaking it is killed by a case citing it';

/** For each rule: the cases citing it and, given the mutants, the mutants proving those cases catch its breach. */
export function computeCoverage(rules: readonly CatalogueRule[], suites: readonly Suite[], mutants: readonly MutantRecord[] = []): RuleCoverage[] {
  const citing = new Map<string, string[]>();
  for (const suite of suites) {
    for (const c of suite.cases) {
      for (const id of c.rules ?? []) citing.set(id, [...(citing.get(id) ?? []), `${suite.suite}/${c.id}`]);
    }
  }
  return rules.map((rule) => {
    const cases = citing.get(rule.id) ?? [];
    const provenBy = mutants
      .filter((m) => m.breaks.includes(rule.id) && m.kills.some((id) => cases.includes(`${m.suite}/${id}`)))
      .map((m) => `${m.suite}/${m.name}`);
    return { rule, cases, provenBy };
  });
}

/** Only MUST rules are holes; SHOULD and MAY rules are reported, not enforced. */
export function holeOf(coverage: RuleCoverage): Hole | undefined {
  if (coverage.rule.level !== 'must' || coverage.rule.unobservable) return undefined;
  if (coverage.cases.length === 0) return 'no case cites it';
  if (coverage.provenBy.length === 0) return 'no mutant breaking it is killed by a case citing it';
  return undefined;
}

export interface LevelTotals {
  rules: number;
  unobservable: number;
  withCase: number;
  proven: number;
  /** Proven by two mutants or more: two different bugs, each caught. */
  provenTwice: number;
}

export function totalsByLevel(coverage: readonly RuleCoverage[]): Record<RuleLevel, LevelTotals> {
  const totals = (level: RuleLevel): LevelTotals => {
    const of = coverage.filter((c) => c.rule.level === level);
    return {
      rules: of.length,
      unobservable: of.filter((c) => c.rule.unobservable).length,
      withCase: of.filter((c) => c.cases.length > 0).length,
      proven: of.filter((c) => c.provenBy.length > 0).length,
      provenTwice: of.filter((c) => c.provenBy.length > 1).length,
    };
  };
  return { must: totals('must'), should: totals('should'), may: totals('may') };
}

/** The coverage as plain text, one catalogue after another, for `sockspec coverage`. */
export function coverageText(coverage: readonly RuleCoverage[]): string[] {
  const lines: string[] = [];
  const idWidth = Math.max(...coverage.map((c) => c.rule.id.length));
  for (const [catalogue, rows] of byCatalogue(coverage)) {
    lines.push(`${catalogue}:`);
    for (const { rule, cases } of rows) {
      const checked = rule.unobservable ? `unobservable: ${rule.unobservable}` : cases.length ? cases.join(', ') : 'no case';
      lines.push(`  ${rule.id.padEnd(idWidth)}  ${rule.level.padEnd(6)}  ${checked}`);
    }
    lines.push('');
  }
  const totals = totalsByLevel(coverage);
  for (const level of ['must', 'should', 'may'] as const) {
    const t = totals[level];
    if (t.rules) lines.push(`${level}: ${t.rules} rules, ${t.withCase} cited by a case, ${t.unobservable} unobservable`);
  }
  const unchecked = coverage.filter((c) => c.rule.level === 'must' && !c.rule.unobservable && c.cases.length === 0).map((c) => c.rule.id);
  if (unchecked.length) lines.push(`MUST rules no case checks: ${unchecked.join(', ')}`);
  return lines;
}

/** The coverage as Markdown tables, one per catalogue, with the mutants proving each rule (docs/rules.md). */
export function coverageMarkdown(coverage: readonly RuleCoverage[]): string[] {
  const lines: string[] = [];
  const code = (names: readonly string[]) => names.map((n) => `\`${n}\``).join(', ');
  for (const [catalogue, rows] of byCatalogue(coverage)) {
    lines.push(`### ${catalogue}`, '', '| Rule | Level | Cases | Proven by mutants |', '|------|-------|-------|-------------------|');
    for (const row of rows) {
      const cases = row.rule.unobservable ? `unobservable: ${row.rule.unobservable}` : code(row.cases) || '—';
      const proven = code(row.provenBy) || (holeOf(row) ? '**hole**' : '—');
      lines.push(`| \`${row.rule.id}\` | ${row.rule.level} | ${cases} | ${proven} |`);
    }
    lines.push('');
  }
  const totals = totalsByLevel(coverage);
  lines.push(
    '| Level | Rules | Unobservable | Cited by a case | Proven by a mutant | by two or more |',
    '|-------|-------|--------------|-----------------|--------------------|----------------|',
  );
  for (const level of ['must', 'should', 'may'] as const) {
    const t = totals[level];
    lines.push(`| ${level} | ${t.rules} | ${t.unobservable} | ${t.withCase} | ${t.proven} | ${t.provenTwice} |`);
  }
  return lines;
}

function byCatalogue(coverage: readonly RuleCoverage[]): Map<string, RuleCoverage[]> {
  const groups = new Map<string, RuleCoverage[]>();
  for (const row of coverage) groups.set(row.rule.catalogue, [...(groups.get(row.rule.catalogue) ?? []), row]);
  return groups;
}

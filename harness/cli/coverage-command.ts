import { computeCoverage, coverageText } from '../suite/coverage';
import { loadSuite } from '../suite/load';
import { bundledRuleBook, mayCite } from '../suite/rules';
import { peerOf } from '../suite/schema';
import { bundledSuiteFiles, resolveSuiteFiles } from './suite-files';

/**
 * `sockspec coverage`: each rule, its level and the cases citing it, then totals. The cases are
 * those of every bundled suite and of the suite files asked for; the rules, those the suites asked
 * for may cite, by service and side (every rule when none is asked for). The mutants proving the cases are the
 * project's own, not shipped: its tests join them in (docs/rules.md).
 */
export function coverageReport(requested: readonly string[]): string[] {
  const asked = requested.length ? resolveSuiteFiles(requested) : [];
  const suites = [...new Set([...bundledSuiteFiles(), ...asked])].map(loadSuite);
  const askedSuites = asked.map(loadSuite).map((s) => ({ service: s.service, peer: peerOf(s) }));
  const rules = bundledRuleBook()
    .all()
    .filter((rule) => askedSuites.length === 0 || askedSuites.some((suite) => mayCite(suite, rule)));
  return coverageText(computeCoverage(rules, suites));
}

import { computeCoverage, coverageText } from '../suite/coverage';
import { loadSuite } from '../suite/load';
import { bundledRuleBook } from '../suite/rules';
import { resolveSuiteFiles } from './suite-files';

/**
 * `sockspec coverage`: each rule, its level and the cases citing it, then totals. The cases are
 * those of every bundled suite and of the suite files asked for; the rules, those for the services
 * of the suites asked for (every rule when none is). The mutants proving the cases are the
 * project's own, not shipped: its tests join them in (docs/rules.md).
 */
export function coverageReport(requested: readonly string[]): string[] {
  const asked = requested.length ? resolveSuiteFiles(requested) : [];
  const suites = [...new Set([...resolveSuiteFiles([]), ...asked])].map(loadSuite);
  const services = new Set(asked.map(loadSuite).map((s) => s.service));
  const rules = bundledRuleBook()
    .all()
    .filter((rule) => services.size === 0 || rule.services.some((service) => services.has(service)));
  return coverageText(computeCoverage(rules, suites));
}

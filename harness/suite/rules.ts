import { readdirSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../package-paths';
import type { ServiceName } from '../targets/target';
import { CheckedYaml } from './checked-yaml';
import { CatalogueSchema, type Catalogue, type Rule } from './rules-schema';
import type { Peer } from './schema';

/** The requirements catalogues that ship with sockspec: suites/rules/*.rules.yaml. */
export const BUNDLED_RULES_DIR = path.join(PACKAGE_ROOT, 'suites', 'rules');
const SUFFIX = '.rules.yaml';

/** A rule with the catalogue it belongs to, and the suites that may cite it: of these services, checking this side of them. */
export interface CatalogueRule extends Rule {
  catalogue: string;
  services: ServiceName[];
  peer: Peer;
}

/** Every rule of a set of catalogues, by id; ids are unique over all of them. */
export class RuleBook {
  private readonly byId = new Map<string, CatalogueRule>();

  constructor(readonly catalogues: readonly Catalogue[]) {
    for (const c of catalogues) {
      for (const rule of c.rules) this.byId.set(rule.id, { ...rule, catalogue: c.catalogue, services: rule.services ?? c.services, peer: c.peer ?? 'server' });
    }
  }

  get(id: string): CatalogueRule | undefined {
    return this.byId.get(id);
  }

  /** Every rule, in catalogue order. */
  all(): CatalogueRule[] {
    return [...this.byId.values()];
  }

  /** The rules the suites of a service that check this side of it may cite. */
  forSuites(service: ServiceName, peer: Peer): CatalogueRule[] {
    return this.all().filter((rule) => mayCite({ service, peer }, rule));
  }
}

/** Whether a suite of this service and side may cite the rule: a server suite cites server rules, a client suite client rules. */
export function mayCite(suite: { service: ServiceName; peer: Peer }, rule: CatalogueRule): boolean {
  return rule.services.includes(suite.service) && rule.peer === suite.peer;
}

/**
 * Reads every *.rules.yaml in `dir` and checks it completely, or throws a SuiteError naming the
 * file, line and column: a field the schema refuses, or an id another rule already has.
 */
export function loadRuleBook(dir: string): RuleBook {
  const files = readdirSync(dir)
    .filter((name) => name.endsWith(SUFFIX))
    .sort()
    .map((name) => path.join(dir, name));
  const firstSeen = new Map<string, string>();
  const catalogues = files.map((file) => {
    const yaml = new CheckedYaml(file, 'rules catalogue');
    yaml.check(CatalogueSchema, yaml.data, []);
    yaml.throwProblems();
    const catalogue = { ...(yaml.data as Omit<Catalogue, 'file'>), file };
    catalogue.rules.forEach((rule, i) => {
      const where = firstSeen.get(rule.id);
      if (where) yaml.report(['rules', i, 'id'], `"${rule.id}" is already the id of a rule in ${where}`);
      else firstSeen.set(rule.id, `${path.basename(file)} (rules[${i}])`);
    });
    yaml.throwProblems();
    return catalogue;
  });
  return new RuleBook(catalogues);
}

let bundled: RuleBook | undefined;

/** The bundled catalogues, read once per process. */
export function bundledRuleBook(): RuleBook {
  bundled ??= loadRuleBook(BUNDLED_RULES_DIR);
  return bundled;
}

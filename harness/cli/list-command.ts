import { loadSuite } from '../suite/load';
import { bundledSuiteFiles, resolveSuiteFiles } from './suite-files';

/** `sockspec list`: each suite (every bundled one, those run on request marked so), then its cases as `id  level  ref  title`. */
export function listSuites(requested: readonly string[]): string[] {
  const lines: string[] = [];
  for (const file of requested.length ? resolveSuiteFiles(requested) : bundledSuiteFiles()) {
    const suite = loadSuite(file);
    const onRequest = suite.onRequest === undefined ? '' : `, on request only: --suite ${suite.suite}`;
    lines.push(`${suite.suite}: ${suite.title} (service ${suite.service}, ${suite.cases.length} cases${onRequest})`);
    const idWidth = Math.max(...suite.cases.map((c) => c.id.length));
    const refWidth = Math.max(...suite.cases.map((c) => c.ref.length));
    for (const c of suite.cases) {
      lines.push(`  ${c.id.padEnd(idWidth)}  ${(c.level ?? 'must').padEnd(6)}  ${c.ref.padEnd(refWidth)}  ${c.title}`);
    }
    lines.push('');
  }
  return lines;
}

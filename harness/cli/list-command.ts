import { loadSuite } from '../suite/load';
import { resolveSuiteFiles } from './suite-files';

/** `sockspec list`: each suite, then its cases as `id  level  ref  title`. */
export function listSuites(requested: readonly string[]): string[] {
  const lines: string[] = [];
  for (const file of resolveSuiteFiles(requested)) {
    const suite = loadSuite(file);
    lines.push(`${suite.suite}: ${suite.title} (service ${suite.service}, ${suite.cases.length} cases)`);
    const idWidth = Math.max(...suite.cases.map((c) => c.id.length));
    const refWidth = Math.max(...suite.cases.map((c) => c.ref.length));
    for (const c of suite.cases) {
      lines.push(`  ${c.id.padEnd(idWidth)}  ${(c.level ?? 'must').padEnd(6)}  ${c.ref.padEnd(refWidth)}  ${c.title}`);
    }
    lines.push('');
  }
  return lines;
}

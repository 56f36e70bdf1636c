import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../jest/config';
import { UsageError } from './errors';

export const BUNDLED_SUITES_DIR = path.join(PACKAGE_ROOT, 'suites');
const SUFFIX = '.suite.yaml';

export function bundledSuiteNames(): string[] {
  return readdirSync(BUNDLED_SUITES_DIR)
    .filter((name) => name.endsWith(SUFFIX))
    .map((name) => name.slice(0, -SUFFIX.length))
    .sort();
}

/** Absolute paths of the suites asked for: bundled names or files, every bundled suite if none. */
export function resolveSuiteFiles(requested: readonly string[]): string[] {
  if (requested.length === 0) return bundledSuiteNames().map((name) => path.join(BUNDLED_SUITES_DIR, name + SUFFIX));
  return [
    ...new Set(
      requested.map((entry) => {
        const asFile = path.resolve(entry);
        if (existsSync(asFile) && statSync(asFile).isFile()) return asFile;
        const bundled = path.join(BUNDLED_SUITES_DIR, entry + SUFFIX);
        if (existsSync(bundled)) return bundled;
        throw new UsageError(`no suite named "${entry}" and no such file`, `bundled suites: ${bundledSuiteNames().join(', ')}`);
      }),
    ),
  ];
}

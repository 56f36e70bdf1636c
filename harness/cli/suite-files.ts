import { existsSync, readdirSync, statSync } from 'node:fs';
import { onRequest } from '../suite/on-request';
import path from 'node:path';
import { PACKAGE_ROOT } from '../package-paths';
import { didYouMean } from '../suite/closest';
import { whatItIs } from '../suite/input-file';
import { UsageError } from './errors';

export const BUNDLED_SUITES_DIR = path.join(PACKAGE_ROOT, 'suites');
const SUFFIX = '.suite.yaml';

export function bundledSuiteNames(): string[] {
  return readdirSync(BUNDLED_SUITES_DIR)
    .filter((name) => name.endsWith(SUFFIX))
    .map((name) => name.slice(0, -SUFFIX.length))
    .sort();
}

/** The file of the bundled suite of this name, if there is one. */
export function bundledSuiteFile(name: string): string | undefined {
  const file = path.join(BUNDLED_SUITES_DIR, name + SUFFIX);
  return existsSync(file) ? file : undefined;
}

/** For a name that is no bundled suite: ` (did you mean "X"?)` if one is close, and the list of them. */
export function unknownSuiteHints(name: string): { suggestion: string; list: string } {
  const names = bundledSuiteNames();
  return { suggestion: didYouMean(name, names), list: `bundled suites: ${names.join(', ')}` };
}

/** Every bundled suite's file, those run only on request included. */
export function bundledSuiteFiles(): string[] {
  return bundledSuiteNames().map((name) => path.join(BUNDLED_SUITES_DIR, name + SUFFIX));
}

/**
 * Absolute paths of the suites asked for: bundled names or files; if none, every bundled suite but
 * those run only on request (`onRequest`: a benchmark such as the capacity suite).
 */
export function resolveSuiteFiles(requested: readonly string[]): string[] {
  if (requested.length === 0) return bundledSuiteFiles().filter((file) => onRequest(file) === undefined);
  return [
    ...new Set(
      requested.map((entry) => {
        const asFile = path.resolve(entry);
        const stats = statSync(asFile, { throwIfNoEntry: false });
        if (stats?.isFile()) return asFile;
        const bundled = bundledSuiteFile(entry);
        if (stats && !bundled) throw new UsageError(`--suite ${entry}: ${whatItIs(stats)}, not a suite file`, 'give a suite file (NAME.suite.yaml) or the name of a bundled suite');
        if (bundled) return bundled;
        const { suggestion, list } = unknownSuiteHints(entry);
        throw new UsageError(`no suite named "${entry}" and no such file${suggestion}`, list);
      }),
    ),
  ];
}

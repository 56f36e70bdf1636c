import path from 'node:path';
import type { Config } from '@jest/types';
import { readdirSync } from 'node:fs';
import { PACKAGE_ROOT } from '../package-paths';
import { onRequest } from '../suite/on-request';

const BUNDLED_SUITES = path.join(PACKAGE_ROOT, 'suites');

/** The bundled suite files that run only when asked for by name. */
function onRequestSuites(): string[] {
  return readdirSync(BUNDLED_SUITES)
    .filter((name) => name.endsWith('.suite.yaml'))
    .map((name) => path.join(BUNDLED_SUITES, name))
    .filter((file) => onRequest(file) !== undefined);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Where the compiled harness lives: suite files are always run through the built JavaScript. */
const BUILT_JEST_DIR = path.join(PACKAGE_ROOT, 'dist', 'harness', 'jest');

/**
 * The jest project that runs suite files. The CLI and the project's own jest config both use it,
 * so `sockspec run` and `npm test` run suites by one path.
 *
 * Installed as a package, the bundled suites and the transform sit under node_modules (twice over
 * in pnpm's layout), which jest by default neither crawls, nor runs, nor transforms: those
 * defaults are switched off. Jest still reads only the suite folders (`roots`), not the project.
 */
export function suiteProject(given?: string[]): Config.InitialProjectOptions {
  const testMatch = given ?? [path.join(BUNDLED_SUITES, '*.suite.yaml')];
  return {
    displayName: 'suites',
    rootDir: PACKAGE_ROOT,
    roots: [...new Set(testMatch.map((pattern) => path.dirname(pattern)))],
    testMatch,
    moduleFileExtensions: ['yaml', 'yml', 'js', 'json'],
    transform: { '\\.ya?ml$': path.join(BUILT_JEST_DIR, 'yaml-transform.js') },
    // jest's node environment, with the suite runtime loaded once per worker (suite-environment.ts).
    testEnvironment: path.join(BUILT_JEST_DIR, 'suite-environment.js'),
    haste: { retainAllFiles: true },
    // Every bundled suite but those run only on request (a benchmark): a run of all leaves them out, as `sockspec run` does.
    testPathIgnorePatterns: given ? [] : onRequestSuites().map((file) => `^${escapeRegex(file)}$`),
    transformIgnorePatterns: [],
  };
}

export interface JunitOptions {
  outputDirectory: string;
  outputName: string;
}

/**
 * jest-junit options for the project's own `npm test` (jest.config.ts): one <testsuite> per test
 * file. The CLI does not use it: it writes junit.xml from the case records (report/junit.ts).
 */
export function junitReporter(options: JunitOptions): [string, Record<string, unknown>] {
  return [
    'jest-junit',
    {
      ...options,
      suiteName: 'sockspec',
      suiteNameTemplate: '{title}',
      classNameTemplate: '{classname}',
      titleTemplate: '{title}',
      ancestorSeparator: ' › ',
      reportTestSuiteErrors: 'true',
      includeConsoleOutput: 'true',
    },
  ];
}

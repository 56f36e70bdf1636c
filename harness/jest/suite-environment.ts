import { createRequire } from 'node:module';
import type { EnvironmentContext, JestEnvironmentConfig } from '@jest/environment';
import type NodeEnvironmentClass from 'jest-environment-node';
import { defineSuiteTestsWith } from './suite-runtime';
import { SUITE_RUNTIME_GLOBAL } from './suite-runtime-global';

/**
 * jest-environment-node as the user's jest has it: sockspec does not depend on it itself (its
 * version goes with jest's), and in pnpm's layout only jest's own packages can resolve it.
 */
function nodeEnvironmentPath(): string {
  let from = require.resolve('jest');
  for (const dependency of ['@jest/core', 'jest-config', 'jest-environment-node']) from = createRequire(from).resolve(dependency);
  return from;
}

const NodeEnvironment: typeof NodeEnvironmentClass = require(nodeEnvironmentPath()).TestEnvironment;

/**
 * The test environment of suite files: jest's node environment, with the suite runtime on the
 * file's global.
 *
 * Why: jest gives every test file a module registry of its own, so a suite file that required the
 * runtime would load the whole harness again (compile its modules, its schemas, parse the rules
 * catalogues), which was most of a run's CPU. The environment itself is loaded with Node's own
 * require, once per jest worker; what it imports is shared by every file that worker runs. Nothing
 * file-specific may live at module level in the harness for this reason: caches keyed by file are
 * fine, targets are started and stopped by each file's hooks.
 */
class SuiteEnvironment extends NodeEnvironment {
  constructor(config: JestEnvironmentConfig, context: EnvironmentContext) {
    super(config, context);
    this.global[SUITE_RUNTIME_GLOBAL] = { defineSuiteTestsWith };
  }
}

export = SuiteEnvironment;

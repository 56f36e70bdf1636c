import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defineSuiteTests, type SuiteTestOptions } from './jest/suite-runtime';
import { BUNDLED_SUITES_DIR } from './cli/suite-files';
import type { CommandTargetOptions } from './targets/command';

export { defineSuiteTests, type SuiteTestOptions };

/**
 * `sockspec.config.json` in a project that uses sockspec from its own jest tests: which suites to
 * run (bundled names or suite files, relative to the config file) against which command.
 */
export interface ProjectConfig {
  suites: string[];
  cmd: string;
  readyLog?: string;
  startTimeoutMs?: number;
  /** For TLS suites: what the server declares (enables the SNI and ALPN cases). */
  tls?: CommandTargetOptions['tls'];
}

/**
 * Defines the jest tests of every suite the project's config names, each against the project's
 * server started from `cmd`. Call it from a test file; jest runs it with the project's own config.
 */
export function defineConformanceTests(configFile = path.resolve('sockspec.config.json')): void {
  const config = readConfig(configFile);
  const command: CommandTargetOptions = {
    command: config.cmd,
    readyLog: config.readyLog === undefined ? undefined : new RegExp(config.readyLog),
    startTimeoutMs: config.startTimeoutMs,
    tls: config.tls,
  };
  for (const suite of config.suites) defineSuiteTests(suiteFile(suite, path.dirname(configFile)), { command });
}

function readConfig(file: string): ProjectConfig {
  let config: Partial<ProjectConfig>;
  try {
    config = JSON.parse(readFileSync(file, 'utf8')) as Partial<ProjectConfig>;
  } catch (err) {
    throw new Error(`sockspec: cannot read ${file}: ${(err as Error).message}`);
  }
  if (!Array.isArray(config.suites) || config.suites.length === 0 || typeof config.cmd !== 'string') {
    throw new Error(`sockspec: ${file} needs "suites" (a list of suite names or files) and "cmd" (the command that starts your server, with {port})`);
  }
  return config as ProjectConfig;
}

function suiteFile(entry: string, base: string): string {
  return /\.ya?ml$/.test(entry) ? path.resolve(base, entry) : path.join(BUNDLED_SUITES_DIR, `${entry}.suite.yaml`);
}

import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { defineSuiteTests, type SuiteTestOptions } from './jest/suite-runtime';
import { bundledSuiteFile, unknownSuiteHints } from './cli/suite-files';
import { captureFlag } from './cli/capture-flag';
import { CAPTURES_FOLDER } from './report/results-json';
import { CheckedYaml } from './suite/checked-yaml';
import { ProjectConfigSchema, type ProjectConfig } from './suite/config-schema';
import type { TargetSpec } from './targets/registry';
import { definedOnly } from './targets/declarations';
import { LOOPBACK_HOSTS, loopbackAddress } from './targets/kinds/command';
import { MAX_CLIENT_TIMEOUT_MS, clientCommandProblem } from './targets/client-command';

export { defineSuiteTests, type SuiteTestOptions, type ProjectConfig, type TargetSpec };

/**
 * Defines the jest tests of every suite the project's config names, each against the project's
 * server. Call it from a test file; jest runs it with the project's own config. A config that
 * cannot be used fails the test file with the message alone (each problem at file:line:column).
 */
export function defineConformanceTests(configFile = path.resolve('sockspec.config.json')): void {
  const { config, suiteFiles } = readConfig(configFile);
  const target = configTarget(config);
  const { mode: capture, unavailable } = captureFlag(config.capture);
  // Said once per test file, as the CLI says it once per run; the cases then run uncaptured.
  if (unavailable) console.info(unavailable);
  const kept = capture && { capture, captureDir: path.resolve(path.dirname(configFile), config.captureDir ?? path.join('reports', CAPTURES_FOLDER)) };
  for (const file of suiteFiles) defineSuiteTests(file, { target, strict: config.strict, seed: config.seed, timeScale: config.timeScale, noTimeouts: config.noTimeouts, ...kept });
}

/** The target the config names, as a target spec: a command, an image and its services, or a client command. */
function configTarget(config: ProjectConfig): TargetSpec {
  // Without the fields the config leaves out: the spec reads as the config does.
  const declared = definedOnly({ tls: config.tls, idleTimeoutMs: config.idleTimeoutMs, capacity: config.capacity });
  const { readyLog, startTimeoutMs } = config;
  if (config.client !== undefined) return definedOnly({ kind: 'client', command: config.client, timeout: config.clientTimeoutMs === undefined ? undefined : `${config.clientTimeoutMs}ms` });
  if (config.image !== undefined) return definedOnly({ kind: 'image', image: config.image, services: config.services ?? {}, env: config.env, readyLog, startTimeoutMs, declared });
  return definedOnly({ kind: 'command', command: config.cmd as string, host: config.host === undefined ? undefined : loopbackAddress(config.host), readyLog, startTimeoutMs, declared });
}

/**
 * The config, checked against its schema, and the suite file each of its `suites` names. The
 * suite names and readyLog are checked even when other fields are wrong: every problem at once.
 */
function readConfig(file: string): { config: ProjectConfig; suiteFiles: string[] } {
  const json = new CheckedYaml(file, 'config file');
  json.check(ProjectConfigSchema, json.data, []);
  const fields = (typeof json.data === 'object' && json.data !== null ? json.data : {}) as Record<string, unknown>;
  const badRegex = typeof fields.readyLog === 'string' ? regexProblem(fields.readyLog) : undefined;
  if (badRegex) json.report(['readyLog'], `not a regular expression: ${badRegex}`);
  const clientProblem = typeof fields.client === 'string' ? clientCommandProblem(fields.client) : undefined;
  if (clientProblem) json.report(['client'], clientProblem);
  if (typeof fields.clientTimeoutMs === 'number' && fields.clientTimeoutMs > MAX_CLIENT_TIMEOUT_MS) json.report(['clientTimeoutMs'], `takes at most ${MAX_CLIENT_TIMEOUT_MS} (ms)`);
  if (typeof fields.host === 'string' && loopbackAddress(fields.host) === undefined) json.report(['host'], `takes ${LOOPBACK_HOSTS}, not "${fields.host}"`);
  const folder = path.dirname(path.resolve(file));
  const suiteFiles = (Array.isArray(fields.suites) ? (fields.suites as unknown[]) : []).flatMap((entry, i) => {
    if (typeof entry !== 'string') return [];
    if (/\.ya?ml$/.test(entry)) {
      const suiteFile = path.resolve(folder, entry);
      if (existsSync(suiteFile) && statSync(suiteFile).isFile()) return [suiteFile];
      json.report(['suites', i], `no such file: ${path.relative(process.cwd(), suiteFile) || suiteFile}`);
      return [];
    }
    const bundled = bundledSuiteFile(entry);
    if (bundled) return [bundled];
    const { suggestion, list } = unknownSuiteHints(entry);
    json.report(['suites', i], `no bundled suite named "${entry}"${suggestion}; ${list} (or a *.suite.yaml file, relative to this file)`);
    return [];
  });
  json.throwProblems();
  return { config: json.data as ProjectConfig, suiteFiles };
}

/** Why a text is no regular expression, or undefined when it is one. */
function regexProblem(text: string): string | undefined {
  try {
    new RegExp(text);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { defineSuiteTests, type SuiteTestOptions } from './jest/suite-runtime';
import { bundledSuiteFile, unknownSuiteHints } from './cli/suite-files';
import { CheckedYaml } from './suite/checked-yaml';
import { ProjectConfigSchema, type ProjectConfig } from './suite/config-schema';
import type { CommandTargetOptions } from './targets/command';
import type { ContainerPort } from './targets/container';
import { SERVICE_TRANSPORT, TLS_SERVICES, type ServiceName } from './targets/target';

export { defineSuiteTests, type SuiteTestOptions, type ProjectConfig };

/**
 * Defines the jest tests of every suite the project's config names, each against the project's
 * server. Call it from a test file; jest runs it with the project's own config. A config that
 * cannot be used fails the test file with the message alone (each problem at file:line:column).
 */
export function defineConformanceTests(configFile = path.resolve('sockspec.config.json')): void {
  const { config, suiteFiles } = readConfig(configFile);
  const options = config.image === undefined ? { command: commandOf(config) } : { image: imageOf(config, config.image) };
  for (const file of suiteFiles) defineSuiteTests(file, { ...options, idleTimeoutMs: config.idleTimeoutMs, strict: config.strict, seed: config.seed });
}

function commandOf(config: ProjectConfig): CommandTargetOptions {
  return {
    command: config.cmd as string,
    readyLog: config.readyLog === undefined ? undefined : new RegExp(config.readyLog),
    startTimeoutMs: config.startTimeoutMs,
    tls: config.tls,
  };
}

function imageOf(config: ProjectConfig, image: string): NonNullable<SuiteTestOptions['image']> {
  const ports: Partial<Record<ServiceName, ContainerPort>> = {};
  for (const [service, port] of Object.entries(config.services ?? {}) as [ServiceName, number][]) {
    ports[service] = { port, transport: SERVICE_TRANSPORT[service], tls: TLS_SERVICES.includes(service) ? config.tls ?? {} : undefined };
  }
  return { image, ports, env: config.env, readyLog: config.readyLog, startupTimeoutMs: config.startTimeoutMs };
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

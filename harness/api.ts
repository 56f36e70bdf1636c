import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defineSuiteTests, type SuiteTestOptions } from './jest/suite-runtime';
import { BUNDLED_SUITES_DIR } from './cli/suite-files';
import type { CommandTargetOptions } from './targets/command';
import type { ContainerPort } from './targets/container';
import { SERVICE_NAMES, SERVICE_TRANSPORT, TLS_SERVICES, type ServiceName, type TlsEndpoint } from './targets/target';

export { defineSuiteTests, type SuiteTestOptions };

/**
 * `sockspec.config.json` in a project that uses sockspec from its own jest tests: which suites to
 * run (bundled names or suite files, relative to the config file) against which server, given as
 * a command (`cmd`) or as an image (`image` and its `services`).
 */
export interface ProjectConfig {
  suites: string[];
  /** The command that starts the server; `{port}` is replaced by a free port. */
  cmd?: string;
  /** A server image (built or loaded on this machine), run with Docker. */
  image?: string;
  /** With `image`: the port inside the container of each service it offers, e.g. `{ "echo-tcp": 7 }`. */
  services?: Partial<Record<ServiceName, number>>;
  /** With `image`: its environment. */
  env?: Record<string, string>;
  /** The line the server prints once it serves (a regular expression). */
  readyLog?: string;
  startTimeoutMs?: number;
  /** For TLS suites: what the server declares (enables the SNI and ALPN cases). */
  tls?: TlsEndpoint;
  /** The idle timeout the server keeps, in ms (enables the timeouts suite's idle cases). */
  idleTimeoutMs?: number;
}

/**
 * Defines the jest tests of every suite the project's config names, each against the project's
 * server. Call it from a test file; jest runs it with the project's own config.
 */
export function defineConformanceTests(configFile = path.resolve('sockspec.config.json')): void {
  const config = readConfig(configFile);
  const options = config.image === undefined ? { command: commandOf(config) } : { image: imageOf(config, config.image) };
  for (const suite of config.suites) defineSuiteTests(suiteFile(suite, path.dirname(configFile)), { ...options, idleTimeoutMs: config.idleTimeoutMs });
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

function readConfig(file: string): ProjectConfig {
  let config: Partial<ProjectConfig>;
  try {
    config = JSON.parse(readFileSync(file, 'utf8')) as Partial<ProjectConfig>;
  } catch (err) {
    throw new Error(`sockspec: cannot read ${file}: ${(err as Error).message}`);
  }
  const forms = [config.cmd, config.image].filter((form) => form !== undefined);
  if (!Array.isArray(config.suites) || config.suites.length === 0 || forms.length !== 1 || !forms.every((form) => typeof form === 'string')) {
    throw new Error(`sockspec: ${file} needs "suites" (a list of suite names or files) and one of "cmd" (the command that starts your server, with {port}) and "image" (with "services")`);
  }
  const unknown = Object.keys(config.services ?? {}).filter((service) => !SERVICE_NAMES.includes(service as ServiceName));
  if (config.image !== undefined && (!config.services || unknown.length > 0)) {
    throw new Error(`sockspec: ${file}: "image" needs "services", the port inside the container of each service (${SERVICE_NAMES.join(', ')})${unknown.length ? `; unknown: ${unknown.join(', ')}` : ''}`);
  }
  return config as ProjectConfig;
}

function suiteFile(entry: string, base: string): string {
  return /\.ya?ml$/.test(entry) ? path.resolve(base, entry) : path.join(BUNDLED_SUITES_DIR, `${entry}.suite.yaml`);
}

import { isIP } from 'node:net';
import { AddressTarget } from '../targets/address';
import { BuiltinTarget } from '../targets/builtin';
import { CommandTarget } from '../targets/command';
import type { ContainerPort, ContainerTarget } from '../targets/container';
import { needsTestcontainers, testcontainersInstalled } from '../targets/container-package';
import { SERVICE_TRANSPORT, TLS_SERVICES, type ServiceName, type Target, type Transport } from '../targets/target';
import { UsageError } from './errors';
import { parsePort } from './ports';
import { MAX_DURATION_MS } from '../vocabulary/units';

export interface TargetFlags {
  target?: string;
  cmd?: string;
  image?: string;
  port?: string;
  udpPort?: string;
  env?: string[];
  readyLog?: string;
  /** With --cmd: the address the server is reached at. */
  host?: string;
  startTimeout?: string;
  /** From a targets file: the port inside the image of each service it offers. */
  servicePorts?: Partial<Record<ServiceName, number>>;
}

/**
 * The target the run flags name for the services the suites need: builtin unless --target,
 * --cmd or --image says otherwise. Every mistake in the flags is found here, before anything starts.
 * The container targets are loaded only when asked for: testcontainers alone takes ~0.3 s to load,
 * and it is an optional peer dependency.
 */
export async function targetFromFlags(flags: TargetFlags, services: readonly ServiceName[]): Promise<Target> {
  checkCombination(flags);
  if (flags.cmd !== undefined) return commandTarget(flags.cmd, flags);
  if (flags.image !== undefined) return imageTarget(flags.image, flags, services);
  if (flags.target === 'container') {
    requireTestcontainers('--target container');
    const { ReferenceContainersTarget } = await import('../containers/reference-target');
    return new ReferenceContainersTarget();
  }
  if (flags.target === undefined || flags.target === 'builtin') return new BuiltinTarget();
  return AddressTarget.parse(flags.target);
}

function checkCombination(flags: TargetFlags): void {
  const kinds = [flags.target, flags.cmd, flags.image].filter((value) => value !== undefined);
  if (kinds.length > 1) throw new UsageError('give one of --target, --cmd and --image');
  const started = flags.cmd !== undefined || flags.image !== undefined;
  if ((flags.readyLog !== undefined || flags.startTimeout !== undefined) && !started) {
    throw new UsageError('--ready-log and --start-timeout go with --cmd or --image');
  }
  if (flags.host !== undefined && flags.cmd === undefined) throw new UsageError('--host goes with --cmd');
  if ((flags.port !== undefined || flags.udpPort !== undefined || flags.env !== undefined) && flags.image === undefined) {
    throw new UsageError('--port, --udp-port and --env go with --image');
  }
}

function commandTarget(command: string, flags: TargetFlags): CommandTarget {
  const { readyLog, timeoutMs } = readiness(flags);
  return new CommandTarget({ command, readyLog, startTimeoutMs: timeoutMs, host: flags.host === undefined ? undefined : loopbackHost(flags.host) });
}

/** Servers under test are reached on loopback only: --host names one of its addresses. */
function loopbackHost(host: string): string {
  const address = host.replace(/^\[(.*)\]$/, '$1');
  if (isIP(address) === 0 || !(address === '::1' || address.startsWith('127.'))) {
    throw new UsageError(`--host takes a loopback address (127.0.0.1, ::1, any 127.x.y.z), not "${host}"`);
  }
  return address;
}

/** --ready-log and --start-timeout, which mean the same for a command and an image. */
function readiness(flags: TargetFlags): { readyLog?: RegExp; timeoutMs?: number } {
  return {
    readyLog: flags.readyLog === undefined ? undefined : parseRegex(flags.readyLog, '--ready-log'),
    timeoutMs: flags.startTimeout === undefined ? undefined : parseMs(flags.startTimeout, '--start-timeout'),
  };
}

/** One container of `image` for the run. */
async function imageTarget(image: string, flags: TargetFlags, services: readonly ServiceName[]): Promise<ContainerTarget> {
  if (!/^\S+$/.test(image)) throw new UsageError(`--image takes NAME[:TAG], not "${image}"`);
  const ports = containerPorts(flags, services);
  const env = parseEnv(flags.env ?? []);
  const { readyLog, timeoutMs } = readiness(flags);
  requireTestcontainers('--image');
  const { ContainerTarget } = await import('../targets/container');
  const { runCertificateFiles } = await import('../containers/run-certificates');
  // TLS servers get the run's certificates, as a command does through {cert}, {key} and {ca}.
  const files = services.some((service) => TLS_SERVICES.includes(service)) ? await runCertificateFiles() : [];
  return new ContainerTarget({ image, ports, files, env, readyLog, startupTimeoutMs: timeoutMs });
}

/** testcontainers is an optional peer dependency: a run that needs it and lacks it stops here. */
function requireTestcontainers(flag: string): void {
  if (!testcontainersInstalled()) throw new UsageError(needsTestcontainers(flag));
}

/**
 * TCP services are on --port inside the container, UDP ones on --udp-port; a targets file may
 * instead give each service its own port.
 */
function containerPorts(flags: TargetFlags, services: readonly ServiceName[]): Partial<Record<ServiceName, ContainerPort>> {
  if (flags.servicePorts) return namedServicePorts(flags.servicePorts, services);
  const inside: Record<Transport, number | undefined> = {
    tcp: flags.port === undefined ? undefined : parsePort(flags.port, '--port'),
    udp: flags.udpPort === undefined ? undefined : parsePort(flags.udpPort, '--udp-port'),
  };
  const ports: Partial<Record<ServiceName, ContainerPort>> = {};
  for (const service of services) {
    const transport = SERVICE_TRANSPORT[service];
    const port = inside[transport];
    if (port === undefined) {
      const flag = transport === 'tcp' ? '--port' : '--udp-port';
      throw new UsageError(`the ${service} suite needs a ${transport.toUpperCase()} port: add ${flag} N, the port the server listens on inside the container`);
    }
    ports[service] = { port, transport };
  }
  return ports;
}

function namedServicePorts(named: Partial<Record<ServiceName, number>>, services: readonly ServiceName[]): Partial<Record<ServiceName, ContainerPort>> {
  const ports: Partial<Record<ServiceName, ContainerPort>> = {};
  for (const service of services) {
    const port = named[service];
    if (port === undefined) {
      const offered = Object.keys(named).join(', ');
      throw new UsageError(`the ${service} suite needs a ${service} service, and the image's services are ${offered}: add ${service} under services, or leave the suite out of the target's suites`);
    }
    ports[service] = { port, transport: SERVICE_TRANSPORT[service] };
  }
  return ports;
}

/** `NAME=VALUE` pairs; the value may itself hold `=`. */
function parseEnv(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(pair);
    if (!match) throw new UsageError(`--env takes NAME=VALUE, not "${pair}"`);
    env[match[1]] = match[2];
  }
  return env;
}

export function parseRegex(source: string, flag: string): RegExp {
  try {
    return new RegExp(source);
  } catch (err) {
    throw new UsageError(`${flag}: not a regular expression: ${(err as Error).message}`);
  }
}

export function parseMs(value: string, flag: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms <= 0 || ms > MAX_DURATION_MS) throw new UsageError(`${flag} takes a whole number of milliseconds from 1 to ${MAX_DURATION_MS}, not "${value}"`);
  return ms;
}

import { AddressTarget } from '../targets/address';
import { clientCommandProblem, clientTimeoutMs } from '../targets/client-command';
import { needsTestcontainers, testcontainersInstalled } from '../targets/container-package';
import type { Declarations } from '../targets/define';
import { LOOPBACK_HOSTS, loopbackAddress } from '../targets/kinds/command';
import type { TargetSpec } from '../targets/registry';
import { SERVICE_TRANSPORT, type ServiceName, type Transport } from '../targets/target';
import { UsageError } from './errors';
import { parsePort } from './ports';
import { MAX_DURATION_MS } from '../vocabulary/units';
import { idleTimeoutDeclaration } from './idle-timeout-flag';
import { chatProfile } from './profile-flag';
import { parseCapacity } from '../vocabulary/capacity';
import { tlsDeclaration, type TlsFlags } from './tls-flags';

export interface TargetFlags extends TlsFlags {
  target?: string;
  cmd?: string;
  /** A client to check with the client suites: a command with {host} and {port}. */
  client?: string;
  /** The timeout the client declares (--client-timeout), checked by the client timing suites. */
  clientTimeout?: string;
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
  /** What the target declares: it closes connections idle this long (e.g. "30s"). */
  idleTimeout?: string;
  /** The chat-relay suite's profile: a shipped profile's name or a profile file. */
  profile?: string;
  /** What the target declares it carries under load: `connections=5000`, `rate=2000,p99=20ms`, ... */
  declareCapacity?: string[];
}

/**
 * What the flags declare about the target, whatever its kind: TLS names, ALPN and CA, the idle
 * timeout, the chat-relay profile, the capacity. Checked here, before anything starts.
 */
export function declarationsFromFlags(flags: TargetFlags): Declarations {
  const declared: Declarations = {};
  const tls = tlsDeclaration(flags);
  if (tls) declared.tls = tls;
  const idleTimeoutMs = idleTimeoutDeclaration(flags.idleTimeout);
  if (idleTimeoutMs !== undefined) declared.idleTimeoutMs = idleTimeoutMs;
  const profile = chatProfile(flags.profile);
  if (profile !== undefined) declared.profile = profile;
  if (flags.declareCapacity !== undefined) {
    const capacity = parseCapacity(flags.declareCapacity);
    if (typeof capacity === 'string') throw new UsageError(`--declare-capacity ${capacity}`);
    declared.capacity = capacity;
  }
  return declared;
}

/**
 * The target the run flags name for the services the suites need: builtin unless --target,
 * --cmd or --image says otherwise. Every mistake in the flags is found here, before anything starts.
 */
export function targetSpecFromFlags(flags: TargetFlags, services: readonly ServiceName[], declared: Declarations): TargetSpec {
  checkCombination(flags);
  if (flags.cmd !== undefined) return { ...commandSpec(flags.cmd, flags), declared };
  if (flags.client !== undefined) return { ...clientSpec(flags.client, flags.clientTimeout), declared };
  if (flags.image !== undefined) return { ...imageSpec(flags.image, flags, services), declared };
  if (flags.target === 'container') {
    requireTestcontainers('--target container');
    return { kind: 'container', declared };
  }
  if (flags.target === undefined || flags.target === 'builtin') return { kind: 'builtin', declared };
  // Checked now: a mistyped address stops the run before anything starts.
  AddressTarget.parse(flags.target);
  return { kind: 'address', address: flags.target, declared };
}

function checkCombination(flags: TargetFlags): void {
  const kinds = [flags.target, flags.cmd, flags.image, flags.client].filter((value) => value !== undefined);
  if (kinds.length > 1) throw new UsageError('give one of --target, --cmd, --image and --client');
  const started = flags.cmd !== undefined || flags.image !== undefined;
  if ((flags.readyLog !== undefined || flags.startTimeout !== undefined) && !started) {
    throw new UsageError('--ready-log and --start-timeout go with --cmd or --image');
  }
  if (flags.host !== undefined && flags.cmd === undefined) throw new UsageError('--host goes with --cmd');
  if (flags.clientTimeout !== undefined && flags.client === undefined) throw new UsageError('--client-timeout goes with --client');
  if ((flags.port !== undefined || flags.udpPort !== undefined || flags.env !== undefined) && flags.image === undefined) {
    throw new UsageError('--port, --udp-port and --env go with --image');
  }
}

/** A client command and its timeout: checked now, so a mistake in them stops the run before anything starts. */
function clientSpec(command: string, timeout: string | undefined): TargetSpec & { kind: 'client' } {
  const problem = clientCommandProblem(command);
  if (problem) throw new UsageError(`--client: ${problem}`);
  if (timeout === undefined) return { kind: 'client', command };
  const ms = clientTimeoutMs(timeout);
  if (typeof ms === 'string') throw new UsageError(`--client-timeout ${ms}`);
  return { kind: 'client', command, timeout };
}

function commandSpec(command: string, flags: TargetFlags): TargetSpec & { kind: 'command' } {
  const { readyLog, startTimeoutMs } = readiness(flags);
  return { kind: 'command', command, readyLog, startTimeoutMs, host: flags.host === undefined ? undefined : loopbackHost(flags.host) };
}

/** Servers under test are reached on loopback only: --host names one of its addresses. */
function loopbackHost(host: string): string {
  const address = loopbackAddress(host);
  if (address === undefined) throw new UsageError(`--host takes ${LOOPBACK_HOSTS}, not "${host}"`);
  return address;
}

/** --ready-log and --start-timeout, which mean the same for a command and an image. */
function readiness(flags: TargetFlags): { readyLog?: string; startTimeoutMs?: number } {
  if (flags.readyLog !== undefined) parseRegex(flags.readyLog, '--ready-log');
  return {
    readyLog: flags.readyLog,
    startTimeoutMs: flags.startTimeout === undefined ? undefined : parseMs(flags.startTimeout, '--start-timeout'),
  };
}

/** One container of `image` for the run. */
function imageSpec(image: string, flags: TargetFlags, services: readonly ServiceName[]): TargetSpec & { kind: 'image' } {
  if (!/^\S+$/.test(image)) throw new UsageError(`--image takes NAME[:TAG], not "${image}"`);
  const ports = containerPorts(flags, services);
  const env = parseEnv(flags.env ?? []);
  const { readyLog, startTimeoutMs } = readiness(flags);
  requireTestcontainers('--image');
  return { kind: 'image', image, services: ports, env, readyLog, startTimeoutMs };
}

/** testcontainers is an optional peer dependency: a run that needs it and lacks it stops here. */
function requireTestcontainers(flag: string): void {
  if (!testcontainersInstalled()) throw new UsageError(needsTestcontainers(flag));
}

/**
 * TCP services are on --port inside the container, UDP ones on --udp-port; a targets file may
 * instead give each service its own port.
 */
function containerPorts(flags: TargetFlags, services: readonly ServiceName[]): Partial<Record<ServiceName, number>> {
  if (flags.servicePorts) return namedServicePorts(flags.servicePorts, services);
  const inside: Record<Transport, number | undefined> = {
    tcp: flags.port === undefined ? undefined : parsePort(flags.port, '--port'),
    udp: flags.udpPort === undefined ? undefined : parsePort(flags.udpPort, '--udp-port'),
  };
  const ports: Partial<Record<ServiceName, number>> = {};
  for (const service of services) {
    const transport = SERVICE_TRANSPORT[service];
    const port = inside[transport];
    if (port === undefined) {
      const flag = transport === 'tcp' ? '--port' : '--udp-port';
      throw new UsageError(`the ${service} suite needs a ${transport.toUpperCase()} port: add ${flag} N, the port the server listens on inside the container`);
    }
    ports[service] = port;
  }
  return ports;
}

function namedServicePorts(named: Partial<Record<ServiceName, number>>, services: readonly ServiceName[]): Partial<Record<ServiceName, number>> {
  const ports: Partial<Record<ServiceName, number>> = {};
  for (const service of services) {
    const port = named[service];
    if (port === undefined) {
      const offered = Object.keys(named).join(', ');
      throw new UsageError(`the ${service} suite needs a ${service} service, and the image's services are ${offered}: add ${service} under services, or leave the suite out of the target's suites`);
    }
    ports[service] = port;
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

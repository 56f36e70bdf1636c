import path from 'node:path';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { CheckedYaml } from '../suite/checked-yaml';
import { Duration, toMs } from '../vocabulary/units';
import { SERVICE_NAMES, type ServiceName } from '../targets/target';
import { loadProfile, namesProfileFile } from '../suite/profile';
import { SuiteUsageError } from '../verdict/failure';
import type { RunFlags } from './run-command';
import { published } from '../suite/published';
import { CLIENT_TIMEOUT_PATTERN, clientTimeoutMs } from '../targets/client-command';
import { CAPACITY_FORMS, parseCapacity } from '../vocabulary/capacity';

const Port = Type.Integer({ minimum: 1, maximum: 65535 });

/**
 * One target of a targets file. Its fields are the run's target flags, spelled as YAML; the
 * `target`, `cmd`, `image` and `client` forms are exclusive, as the flags are.
 */
export const TargetEntrySchema = Type.Object(
  {
    name: Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$', description: 'a short name: the column heading of the matrix and the folder of its reports' }),
    target: Type.Optional(Type.String({ description: 'as --target: builtin, container, tcp://HOST:PORT or udp://HOST:PORT' })),
    cmd: Type.Optional(Type.String({ description: 'as --cmd: a command sockspec starts; {port}, {cert}, {key} and {ca} are replaced' })),
    image: Type.Optional(Type.String({ description: 'as --image: a server image, one container for the run' })),
    client: Type.Optional(Type.String({ description: 'as --client: a client command the client suites run; {host} and {port} are replaced' })),
    clientTimeout: Type.Optional(Type.String({ pattern: CLIENT_TIMEOUT_PATTERN, description: 'as --client-timeout, with client: the timeout the client keeps ("2s", "1500ms"), given to it as {timeout} in seconds' })),
    services: Type.Optional(
      Type.Object(Object.fromEntries(SERVICE_NAMES.map((service) => [service, Type.Optional(Port)])), {
        additionalProperties: false,
        minProperties: 1,
        description: 'with image: the port inside the container of each service the image offers (one container serves them all)',
      }),
    ),
    port: Type.Optional(Port),
    udpPort: Type.Optional(Port),
    env: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String(), { description: 'with image: environment variables' })),
    readyLog: Type.Optional(Type.String({ description: 'with cmd or image: a regular expression for the line that says the server is ready' })),
    host: Type.Optional(Type.String({ description: 'as --host, with cmd: the loopback address the server is reached at (default: 127.0.0.1 or ::1, whichever it listens on)' })),
    startTimeout: Type.Optional(Duration),
    ca: Type.Optional(Type.String({ description: 'TLS: the CA file that signed the server certificate (relative to this file)' })),
    servername: Type.Optional(Type.String()),
    altServername: Type.Optional(Type.String()),
    alpn: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })),
    idleTimeout: Type.Optional(Duration),
    declareCapacity: Type.Optional(
      Type.Union([Type.String({ minLength: 1 }), Type.Array(Type.String({ minLength: 1 }), { minItems: 1 })], {
        description: `as --declare-capacity: what the server carries under load (${CAPACITY_FORMS}), one string or a list`,
      }),
    ),
    profile: Type.Optional(Type.String({ minLength: 1, description: 'as --profile: the chat-relay profile, a name in suites/profiles/ or a profile file (relative to this file)' })),
    suites: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'the suites that apply to this target (default: those of the run)' })),
    baseline: Type.Optional(Type.String({ description: 'a baseline file for this target (relative to this file), as --baseline' })),
    strict: Type.Optional(Type.Boolean({ description: 'as --strict: a failed "should" case fails this target\'s run (default: the file\'s strict)' })),
  },
  {
    additionalProperties: false,
    oneOf: [{ required: ['target'] }, { required: ['cmd'] }, { required: ['image'] }, { required: ['client'] }],
  },
);

export const TargetsFileSchema = Type.Object(
  {
    strict: Type.Optional(Type.Boolean({ description: 'as --strict, for every target that does not say otherwise (default false)' })),
    targets: Type.Array(TargetEntrySchema, { minItems: 1 }),
  },
  { additionalProperties: false },
);

export type TargetEntry = Static<typeof TargetEntrySchema>;

/** The published schema, for editors completing targets files. */
export function publishedTargetsSchema(): TSchema {
  return published(TargetsFileSchema, 'targets', 'sockspec targets file');
}

const IMAGE_ONLY = ['services', 'port', 'udpPort', 'env'] as const;

/**
 * Reads and checks a targets file; errors name file, line and column (exit 2). Each entry's
 * `strict` is its own, else the file's.
 */
export function loadTargetsFile(file: string): TargetEntry[] {
  const yaml = new CheckedYaml(file, 'targets file');
  if (!yaml.check(TargetsFileSchema, yaml.data, [])) yaml.throwProblems();
  const { targets: entries, strict } = yaml.data as Static<typeof TargetsFileSchema>;
  const names = new Map<string, number>();
  entries.forEach((entry, i) => {
    const earlier = names.get(entry.name);
    if (earlier !== undefined) yaml.report(['targets', i, 'name'], `"${entry.name}" is already the name of targets[${earlier}]`);
    else names.set(entry.name, i);
    const misplaced = entry.image === undefined ? IMAGE_ONLY.find((field) => entry[field] !== undefined) : undefined;
    if (misplaced) yaml.report(['targets', i, misplaced], `${misplaced} goes with image`);
    if (entry.services && (entry.port !== undefined || entry.udpPort !== undefined)) {
      yaml.report(['targets', i, 'services'], 'give services, or port and udpPort, not both');
    }
    const zero = (['startTimeout', 'idleTimeout'] as const).find((field) => entry[field] !== undefined && toMs(entry[field] as string | number) === 0);
    if (zero) yaml.report(['targets', i, zero], 'must be more than 0');
    if (entry.host !== undefined && entry.cmd === undefined) yaml.report(['targets', i, 'host'], 'host goes with cmd');
    const capacity = entry.declareCapacity === undefined ? undefined : parseCapacity(capacityEntries(entry.declareCapacity));
    if (typeof capacity === 'string') yaml.report(['targets', i, 'declareCapacity'], capacity);
    const timeoutProblem = entry.clientTimeout === undefined ? undefined : clientTimeoutMs(entry.clientTimeout);
    if (typeof timeoutProblem === 'string') yaml.report(['targets', i, 'clientTimeout'], timeoutProblem);
    if (entry.clientTimeout !== undefined && entry.client === undefined) yaml.report(['targets', i, 'clientTimeout'], 'clientTimeout goes with client');
    if ((entry.readyLog !== undefined || entry.startTimeout !== undefined) && entry.target !== undefined) {
      yaml.report(['targets', i, entry.readyLog !== undefined ? 'readyLog' : 'startTimeout'], 'readyLog and startTimeout go with cmd or image');
    }
  });
  const folder = path.dirname(path.resolve(file));
  const resolved = entries.map((entry) => ({
    ...entry,
    ca: entry.ca === undefined ? undefined : path.resolve(folder, entry.ca),
    baseline: entry.baseline === undefined ? undefined : path.resolve(folder, entry.baseline),
    profile: entry.profile !== undefined && namesProfileFile(entry.profile) ? path.resolve(folder, entry.profile) : entry.profile,
    strict: entry.strict ?? strict,
  }));
  resolved.forEach((entry, i) => checkProfile(yaml, entry.profile, i));
  yaml.throwProblems();
  return resolved;
}

/** A profile that cannot be loaded is reported at its line, before any target runs. */
function checkProfile(yaml: CheckedYaml, profile: string | undefined, index: number): void {
  if (profile === undefined) return;
  try {
    loadProfile(profile);
  } catch (err) {
    if (!(err instanceof SuiteUsageError)) throw err;
    yaml.report(['targets', index, 'profile'], err.message);
  }
}

/** `strict` is the one setting given both ways: the command line's --strict or the entry's makes its run strict. */
export function runsStrict(entry: TargetEntry, commandLine: Pick<RunFlags, 'strict'>): boolean {
  return commandLine.strict || entry.strict === true;
}

/** The entry as the run flags it stands for, so that a file and the command line share one path. */
export function entryFlags(entry: TargetEntry, commandLine: Pick<RunFlags, 'strict'>): Partial<RunFlags> {
  return {
    target: entry.target,
    cmd: entry.cmd,
    client: entry.client,
    clientTimeout: entry.clientTimeout,
    image: entry.image,
    servicePorts: entry.services as Partial<Record<ServiceName, number>> | undefined,
    port: entry.port === undefined ? undefined : String(entry.port),
    udpPort: entry.udpPort === undefined ? undefined : String(entry.udpPort),
    env: entry.env === undefined ? undefined : Object.entries(entry.env).map(([name, value]) => `${name}=${value}`),
    readyLog: entry.readyLog,
    host: entry.host,
    startTimeout: entry.startTimeout === undefined ? undefined : String(toMs(entry.startTimeout)),
    ca: entry.ca,
    servername: entry.servername,
    altServername: entry.altServername,
    alpn: entry.alpn?.join(','),
    idleTimeout: entry.idleTimeout === undefined ? undefined : `${toMs(entry.idleTimeout)}ms`,
    declareCapacity: entry.declareCapacity === undefined ? undefined : capacityEntries(entry.declareCapacity),
    profile: entry.profile,
    strict: runsStrict(entry, commandLine),
  };
}

/** `declareCapacity` as one string or a list of them. */
function capacityEntries(value: string | string[]): string[] {
  return typeof value === 'string' ? [value] : value;
}

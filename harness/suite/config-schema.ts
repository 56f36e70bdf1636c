import { CapacitySchema } from '../vocabulary/capacity';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { SERVICE_NAMES } from '../targets/target';
import { TlsDeclarationSchema } from '../targets/define';
import { published } from './published';
import { MAX_TIME_SCALE } from '../vocabulary/time-scale';

const Port = Type.Integer({ minimum: 1, maximum: 65535 });
const Milliseconds = (description: string) => Type.Integer({ minimum: 1, description });

/**
 * `sockspec.config.json`, in a project that runs sockspec from its own jest tests
 * (`defineConformanceTests()`): which suites to run against which server, given as a command
 * (`cmd`) or as an image (`image` and its `services`), or which client to check (`client`).
 */
export const ProjectConfigSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String({ description: 'for editors: where this schema is, e.g. node_modules/sockspec/schema/config.schema.json' })),
    suites: Type.Array(Type.String({ minLength: 1 }), {
      minItems: 1,
      uniqueItems: true,
      description: 'bundled suite names (echo-tcp, lifecycle, ...) or suite files (*.suite.yaml), relative to this file',
    }),
    cmd: Type.Optional(Type.String({ minLength: 1, description: 'the command that starts your server; {port}, {cert}, {key} and {ca} are replaced' })),
    image: Type.Optional(Type.String({ minLength: 1, description: 'instead of cmd: your server image, on this machine already (Docker must run)' })),
    client: Type.Optional(Type.String({ minLength: 1, description: 'instead of cmd or image: your client command, for client suites (echo-client); {host} and {port} are replaced' })),
    clientTimeoutMs: Type.Optional(Milliseconds('with client: the timeout your client keeps, in ms (the client-timeouts suite checks it); the command gets it as {timeout}, in seconds')),
    services: Type.Optional(
      Type.Object(Object.fromEntries(SERVICE_NAMES.map((service) => [service, Type.Optional(Port)])), {
        additionalProperties: false,
        minProperties: 1,
        description: 'with image: the port inside the container of each service it offers, e.g. { "echo-tcp": 7 }',
      }),
    ),
    env: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String(), { description: 'with image: its environment variables' })),
    host: Type.Optional(Type.String({ minLength: 1, description: 'with cmd: the loopback address the server is reached at (default: 127.0.0.1 or ::1, whichever it listens on)' })),
    readyLog: Type.Optional(Type.String({ minLength: 1, description: 'the line the server prints once it serves (a regular expression)' })),
    startTimeoutMs: Type.Optional(Milliseconds('how long the server may take to start, in ms')),
    tls: Type.Optional(Type.Object(TlsDeclarationSchema.properties, { additionalProperties: false, description: 'for TLS suites: what the server declares' })),
    idleTimeoutMs: Type.Optional(Milliseconds('the idle timeout your server keeps, in ms (enables the timeouts suite\'s idle cases)')),
    capacity: Type.Optional(Type.Object(CapacitySchema.properties, { additionalProperties: false, description: "what your server carries under load (enables the capacity suite's must cases)" })),
    strict: Type.Optional(Type.Boolean({ description: 'a failed "should" case fails its test too (default false: only "must" cases fail)' })),
    seed: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 4294967295, description: "the seed of the cases' random choices, as sockspec run --seed (default: each suite file draws one, printed with every failure)" }),
    ),
    timeScale: Type.Optional(
      Type.Number({
        exclusiveMinimum: 0,
        maximum: MAX_TIME_SCALE,
        description: 'multiplies every deadline, wait and tolerance that is not the rule under test, as sockspec run --time-scale (default SOCKSPEC_TIME_SCALE, else 1)',
      }),
    ),
    noTimeouts: Type.Optional(Type.Boolean({ description: 'no step or case deadline at all, as sockspec run --no-timeouts: for stepping through a case in a debugger' })),
    capture: Type.Optional(
      Type.Union([Type.Literal('failed'), Type.Literal('all'), Type.Literal('off')], {
        description: 'keep the packet captures of failed cases, of all, or none, as sockspec run --capture (default: failed in CI, CI=true, when the machine can capture; off elsewhere)',
      }),
    ),
    captureDir: Type.Optional(Type.String({ minLength: 1, description: 'where kept captures go, relative to this file: DIR/SUITE/CASE.pcap (default reports/captures)' })),
  },
  {
    additionalProperties: false,
    oneOf: [{ required: ['cmd'] }, { required: ['image'] }, { required: ['client'] }],
    dependentRequired: { image: ['services'], services: ['image'], env: ['image'], host: ['cmd'], clientTimeoutMs: ['client'] },
  },
);

export type ProjectConfig = Static<typeof ProjectConfigSchema>;

/** The published schema, for editors completing sockspec.config.json. */
export function publishedConfigSchema(): TSchema {
  return published(ProjectConfigSchema, 'config', 'sockspec.config.json');
}

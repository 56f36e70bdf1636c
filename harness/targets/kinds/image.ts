import { Type } from '@sinclair/typebox';
import { DEFAULT_CONTAINER_STARTUP_TIMEOUT_MS } from '../../containers/runtime';
import type { ContainerPort, ContainerTargetOptions } from '../container';
import { defineTargetKind, type SpecOf } from '../define';
import { SERVICE_NAMES, SERVICE_TRANSPORT, TLS_SERVICES, type ServiceName } from '../target';

const Port = Type.Integer({ minimum: 1, maximum: 65535 });

const ImageSpec = Type.Object(
  {
    image: Type.String({ minLength: 1, description: 'a server image, NAME[:TAG], on this machine already' }),
    services: Type.Object(Object.fromEntries(SERVICE_NAMES.map((service) => [service, Type.Optional(Port)])), {
      additionalProperties: false,
      description: 'the port inside the container of each service it offers (one container serves them all)',
    }),
    env: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String(), { description: 'its environment variables' })),
    command: Type.Optional(Type.Array(Type.String(), { description: "replaces the image's CMD (the arguments after its entrypoint)" })),
    readyLog: Type.Optional(Type.String({ minLength: 1, description: 'a regular expression for the line the server prints once it serves' })),
    startTimeoutMs: Type.Optional(Type.Integer({ minimum: 1, description: 'how long it may take to be ready, in ms' })),
  },
  { additionalProperties: false },
);

type Spec = SpecOf<typeof ImageSpec>;

/*
 * The container modules are loaded only for container targets: testcontainers alone takes ~0.3 s
 * to load, in every suite file.
 */
export const image = defineTargetKind({
  name: 'image',
  summary: 'a server image: one container for the run (or the suite file), a fresh one for each lifecycle start',
  schema: ImageSpec,
  help: `  --image NAME[:TAG]   a server image: one container for the run, removed afterwards; TLS
                       servers find the run's certificate in /run/sockspec/ (needs Docker;
                       see docs/containers.md)`,
  unfit: (spec, service, suite) => (spec.services[service] === undefined ? `image ${spec.image} offers no ${service} service, which the ${suite} suite needs: add it to "services"` : undefined),
  create: async (spec, services) => {
    const { ContainerTarget } = require('../container') as typeof import('../container');
    return new ContainerTarget(await containerOptions(spec, services));
  },
  launcher: (spec, service) => {
    const { ContainerLauncher } = require('../container-launcher') as typeof import('../container-launcher');
    return new ContainerLauncher(`container: ${spec.image}`, () => containerOptions(spec, [service]));
  },
  startBudgetMs: (spec) => spec.startTimeoutMs ?? DEFAULT_CONTAINER_STARTUP_TIMEOUT_MS,
});

/** How testcontainers runs the image; TLS servers get the run's certificates, as a command does through {cert}, {key} and {ca}. */
async function containerOptions(spec: Spec, services: readonly ServiceName[]): Promise<ContainerTargetOptions> {
  const ports: Partial<Record<ServiceName, ContainerPort>> = {};
  for (const [service, port] of Object.entries(spec.services) as Array<[ServiceName, number]>) {
    ports[service] = { port, transport: SERVICE_TRANSPORT[service], tls: TLS_SERVICES.includes(service) ? spec.declared?.tls ?? {} : undefined };
  }
  const { runCertificateFiles } = require('../../containers/run-certificates') as typeof import('../../containers/run-certificates');
  const files = services.some((service) => TLS_SERVICES.includes(service)) ? await runCertificateFiles() : [];
  return { image: spec.image, ports, env: spec.env, command: spec.command, readyLog: spec.readyLog, startupTimeoutMs: spec.startTimeoutMs, files };
}

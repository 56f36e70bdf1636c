import { existsSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../package-paths';
import { cachedCertificateSet } from '../certs/cache';
import { REFERENCE_SERVERS } from '../servers/catalog';
import type { ContainerPort, ContainerTargetOptions } from '../targets/container';
import { SERVICE_TRANSPORT, type ServiceName } from '../targets/target';
import { type BuiltImage, buildImage } from './build-image';
import { requireClosure } from './require-closure';

/*
 * Images built offline from host binaries, each returned with the ContainerTarget options that run
 * it. Servers listen on a fixed port: each container has its own network namespace, and the host
 * side gets a free port on 127.0.0.1.
 */

const SERVICE_PORT = 7;
const DIST = path.join(PACKAGE_ROOT, 'dist', 'harness');
const SERVE_ENTRY = path.join(DIST, 'servers', 'serve-main.js');
/** Where a container of the reference image finds the host's certificate set. */
const CERTIFICATES_PATH = '/run/sockspec/certificates.json';
export const REFERENCE_TAG = 'sockspec/reference:local';

/**
 * sockspec's own reference server for one service, from the built project (`npm run build`). One
 * image serves every service: the container's command picks one.
 */
export async function referenceImage(service: ServiceName): Promise<ContainerTargetOptions> {
  await buildReferenceImage();
  const { tls, idleTimeoutMs } = REFERENCE_SERVERS[service];
  const port: ContainerPort = { port: SERVICE_PORT, transport: SERVICE_TRANSPORT[service], idleTimeoutMs };
  const command = [service, '--port', String(SERVICE_PORT), '--host', '0.0.0.0'];
  const common = { image: REFERENCE_TAG, readyLog: `sockspec serve: ${service} listening on` };
  if (!tls) return { ...common, ports: { [service]: port }, command };
  // TLS servers get the host's certificate set, so they present the CA the run trusts, as the
  // builtin servers do. The endpoint names that CA too: clients verify against this very set.
  const set = await cachedCertificateSet();
  return {
    ...common,
    ports: { [service]: { ...port, tls: { ...tls, ca: set.ca.cert } } },
    command: [...command, '--certificates', CERTIFICATES_PATH],
    files: [{ content: JSON.stringify(set), target: CERTIFICATES_PATH, mode: 0o600 }],
  };
}

/**
 * The image holds node and exactly the built files serve-main.js loads (harness/servers,
 * harness/certs and what they import; see its header) with node-forge, so changes elsewhere in the
 * project do not rebuild it. The files are found by following the requires, not listed by hand: a
 * hand-kept list missed a module that a refactor split out.
 */
async function buildReferenceImage(): Promise<BuiltImage> {
  if (!existsSync(SERVE_ENTRY)) throw new Error(`${SERVE_ENTRY} is missing: run npm run build first`);
  const { files, packages } = requireClosure(SERVE_ENTRY);
  const unexpected = packages.filter((name) => name !== 'node-forge');
  if (unexpected.length > 0) throw new Error(`serve-main.js now loads ${unexpected.join(', ')}: add it to the reference image, or keep servers/ free of it`);
  const forge = path.dirname(require.resolve('node-forge/package.json'));
  return buildImage({
    tag: REFERENCE_TAG,
    binaries: [process.execPath],
    files: [
      ...files.map((file) => ({ from: file, to: `/app/dist/harness/${path.relative(DIST, file)}` })),
      { from: forge, to: '/app/node_modules/node-forge' },
    ],
    entrypoint: [process.execPath, '/app/dist/harness/servers/serve-main.js'],
  });
}

/** A third-party TCP echo: socat, which logs `listening on` at `-d -d`. */
export async function socatImage(): Promise<ContainerTargetOptions> {
  const socat = '/usr/bin/socat';
  if (!existsSync(socat)) throw new Error(`${socat} is missing: apt-get install -y socat`);
  const { tag } = await buildImage({
    tag: 'sockspec/socat-echo:local',
    binaries: [socat],
    files: [],
    entrypoint: [socat],
    cmd: ['-d', '-d', `TCP-LISTEN:${SERVICE_PORT},reuseaddr,fork`, 'PIPE'],
  });
  return { image: tag, ports: { 'echo-tcp': { port: SERVICE_PORT, transport: 'tcp' } }, readyLog: 'listening on' };
}

/** fixtures/containers/echo-server.js on node: a TCP and UDP echo that needs no project build. */
export async function echoFixtureImage(): Promise<ContainerTargetOptions> {
  const { tag } = await buildImage({
    tag: 'sockspec/echo-fixture:local',
    binaries: [process.execPath],
    files: [{ from: path.join(PACKAGE_ROOT, 'fixtures', 'containers', 'echo-server.js'), to: '/app/echo-server.js' }],
    entrypoint: [process.execPath, '/app/echo-server.js'],
  });
  return {
    image: tag,
    ports: {
      'echo-tcp': { port: SERVICE_PORT, transport: 'tcp' },
      'echo-udp': { port: SERVICE_PORT, transport: 'udp' },
    },
    readyLog: `listening on ${SERVICE_PORT}`,
  };
}

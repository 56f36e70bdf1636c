import { existsSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../jest/config';
import type { ContainerTargetOptions } from '../targets/container';
import { SERVICE_TRANSPORT, type ServiceName } from '../targets/target';
import { buildImage } from './build-image';

/*
 * Images built offline from host binaries, each returned with the ContainerTarget options that run
 * it. Servers listen on a fixed port: each container has its own network namespace, and the host
 * side gets a free port on 127.0.0.1.
 */

const SERVICE_PORT = 7;
const SERVE_ENTRY = path.join(PACKAGE_ROOT, 'dist', 'harness', 'cli', 'serve-main.js');

/** sockspec's own reference server for one service, from the built project (`npm run build`). */
export async function referenceImage(service: ServiceName): Promise<ContainerTargetOptions> {
  if (!existsSync(SERVE_ENTRY)) throw new Error(`${SERVE_ENTRY} is missing: run npm run build first`);
  const { tag } = await buildImage({
    tag: 'sockspec/reference:local',
    binaries: [process.execPath],
    files: [
      { from: path.join(PACKAGE_ROOT, 'dist', 'harness'), to: '/app/dist/harness' },
      { from: path.join(PACKAGE_ROOT, 'package.json'), to: '/app/package.json' },
    ],
    entrypoint: [process.execPath, '/app/dist/harness/cli/serve-main.js'],
  });
  return {
    image: tag,
    ports: { [service]: { port: SERVICE_PORT, transport: SERVICE_TRANSPORT[service] } },
    command: [service, '--port', String(SERVICE_PORT), '--host', '0.0.0.0'],
    readyLog: `sockspec serve: ${service} listening on`,
  };
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

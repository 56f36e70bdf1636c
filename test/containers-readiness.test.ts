import net from 'node:net';
import path from 'node:path';
import { buildImage } from '../harness/containers/build-image';
import { ContainerTarget, type ContainerTargetOptions } from '../harness/targets/container';
import { type Endpoint, TargetError } from '../harness/targets/target';
import type { TargetExit } from '../harness/targets/target-exit';
import { ROOT } from './support/cli';
import { describeWithDocker } from './support/docker';

const IMAGE_BUILD_TIMEOUT_MS = 120_000;
// Containers take seconds to start and stop, not milliseconds.
jest.setTimeout(30_000);

/** fixtures/hostile/silent-echo.js on node: an echo image that never prints a line. */
async function silentEchoImage(): Promise<ContainerTargetOptions> {
  const { tag } = await buildImage({
    tag: 'sockspec/silent-echo:local',
    binaries: [process.execPath],
    files: [{ from: path.join(ROOT, 'fixtures', 'hostile', 'silent-echo.js'), to: '/app/silent-echo.js' }],
    entrypoint: [process.execPath, '/app/silent-echo.js'],
  });
  return { image: tag, ports: { 'echo-tcp': { port: 7, transport: 'tcp' }, 'echo-udp': { port: 7, transport: 'udp' } } };
}

function tcpRoundTrip({ host, port }: Endpoint, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = '';
    const socket = net.connect({ host, port }, () => socket.write(text));
    socket.setEncoding('utf8').on('error', reject);
    socket.on('data', (chunk: string) => {
      received += chunk;
      if (received.length >= text.length) socket.end(() => resolve(received));
    });
  });
}

describeWithDocker('a container is ready when its ports listen in its own network namespace', () => {
  let silent: ContainerTargetOptions;
  const targets: ContainerTarget[] = [];
  const target = (options: ContainerTargetOptions) => {
    const created = new ContainerTarget(options);
    targets.push(created);
    return created;
  };

  beforeAll(async () => {
    silent = await silentEchoImage();
  }, IMAGE_BUILD_TIMEOUT_MS);
  afterEach(async () => {
    await Promise.all(targets.splice(0).map((t) => t.stop()));
  });

  test('an image that prints nothing is ready once it listens, with no --ready-log', async () => {
    const echo = target(silent);
    const endpoints = await echo.start(['echo-tcp', 'echo-udp']);
    expect(echo.logs()).toEqual([]);
    // Ready means listening: the first connection is served, not refused or reset by a proxy.
    expect(await tcpRoundTrip(endpoints['echo-tcp'] as Endpoint, 'hello\n')).toBe('hello\n');
  });

  test('one that never listens on the port fails at the start timeout, naming the port', async () => {
    const elsewhere = target({ ...silent, env: { SILENT_PORT: '8' }, startupTimeoutMs: 3000 });
    const failure = await elsewhere.start(['echo-tcp']).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(TargetError);
    expect((failure as TargetError).message).toMatch(/nothing listened on 7\/tcp inside the container within \d+\.\d s; it listens on 8\/tcp \(is that the port to give\?\)/);
  });

  test('--ready-log still waits for its line when given', async () => {
    const never = target({ ...silent, readyLog: 'never printed', startupTimeoutMs: 2000 });
    const failure = await never.start(['echo-tcp']).catch((err: unknown) => err);
    expect((failure as TargetError).message).toMatch(/never printed/);
  });

  test('a container that exits after it started is reported once, with its code and last output', async () => {
    const dying = target({ ...silent, env: { DIE_AFTER_MS: '3000' } });
    const exits: TargetExit[] = [];
    dying.watchExit((exit) => exits.push(exit));
    await dying.start(['echo-tcp']);
    for (let waited = 0; exits.length === 0 && waited < 15_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(exits).toHaveLength(1);
    expect(exits[0]).toMatchObject({ exit: 'code 4', output: ['fatal: out of patience'] });
  });

  test('a container stopped by stop() is no exit to report', async () => {
    const stopped = target(silent);
    const exits: TargetExit[] = [];
    stopped.watchExit((exit) => exits.push(exit));
    await stopped.start(['echo-tcp']);
    await stopped.stop();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(exits).toEqual([]);
  });
});

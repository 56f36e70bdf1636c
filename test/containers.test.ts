import { execFileSync } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { GenericContainer } from 'testcontainers';
import { echoFixtureImage, socatImage } from '../harness/containers/images';
import { ContainerTarget, type ContainerTargetOptions, NO_RUNTIME_MESSAGE, OWNER_LABEL } from '../harness/targets/container';
import { type Endpoint, TargetError } from '../harness/targets/target';
import { describeWithDocker } from './support/docker';

const OURS = `label=${OWNER_LABEL}=${process.pid}`;
const IMAGE_BUILD_TIMEOUT_MS = 120_000;

// Containers take seconds to start and stop, not milliseconds.
jest.setTimeout(30_000);

/** Sends `text` and resolves with as many bytes as came back. */
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

/** UDP may drop the datagram: resend until the echo arrives (the test timeout bounds it). */
function udpRoundTrip({ host, port }: Endpoint, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    const send = () => socket.send(text, port, host);
    const resend = setInterval(send, 200);
    socket.on('error', reject).on('message', (message) => {
      clearInterval(resend);
      socket.close(() => resolve(message.toString()));
    });
    send();
  });
}

function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8' }).trim();
}

describeWithDocker('ContainerTarget with Docker', () => {
  let fixture: ContainerTargetOptions;
  let socat: ContainerTargetOptions;
  const targets: ContainerTarget[] = [];
  const target = (options: ContainerTargetOptions) => {
    const created = new ContainerTarget(options);
    targets.push(created);
    return created;
  };

  beforeAll(async () => {
    [fixture, socat] = await Promise.all([echoFixtureImage(), socatImage()]);
  }, IMAGE_BUILD_TIMEOUT_MS);

  afterEach(async () => {
    await Promise.all(targets.splice(0).map((started) => started.stop()));
  });

  test('the node fixture echoes over TCP and UDP; its ports are published on 127.0.0.1 only', async () => {
    const echo = target(fixture);
    const endpoints = await echo.start(['echo-tcp', 'echo-udp']);

    expect(endpoints['echo-tcp']).toMatchObject({ transport: 'tcp' });
    expect(endpoints['echo-udp']).toMatchObject({ transport: 'udp' });
    await expect(tcpRoundTrip(endpoints['echo-tcp']!, 'hello over tcp')).resolves.toBe('hello over tcp');
    await expect(udpRoundTrip(endpoints['echo-udp']!, 'hello over udp')).resolves.toBe('hello over udp');
    expect(echo.logs()).toContain('listening on 7');
    const published = docker('ps', '--filter', OURS, '--format', '{{.Ports}}').split(', ');
    expect(published.map((binding) => binding.replace(/:\d+->/, ':*->')).sort()).toEqual(['127.0.0.1:*->7/tcp', '127.0.0.1:*->7/udp']);
  });

  // On a Linux engine with a bridge network (CI), the host reaches the container's own address.
  test('cases reach the container at its own address, past Docker\'s proxy: a zero-length datagram comes back', async () => {
    const echo = target(fixture);
    const endpoints = await echo.start(['echo-tcp', 'echo-udp']);
    const address = docker('inspect', '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', docker('ps', '-q', '--filter', OURS));

    expect(endpoints['echo-tcp']).toMatchObject({ host: address, port: 7 });
    expect(endpoints['echo-udp']).toMatchObject({ host: address, port: 7 });
    expect(echo.description).toBe(`container: ${fixture.image} (container address, no proxy)`);
    await expect(udpRoundTrip(endpoints['echo-udp']!, '')).resolves.toBe('');
  });

  test('socat, a third-party server, echoes over TCP', async () => {
    const endpoints = await target(socat).start(['echo-tcp']);

    await expect(tcpRoundTrip(endpoints['echo-tcp']!, 'hello, socat\n')).resolves.toBe('hello, socat\n');
  });

  test('stop() is safe twice and restart() serves from a fresh container', async () => {
    const echo = target(fixture);
    await echo.start(['echo-tcp']);
    const firstId = docker('ps', '-q', '--filter', OURS);
    const endpoints = await echo.restart();

    expect(docker('ps', '-a', '-q', '--filter', `id=${firstId}`)).toBe('');
    await expect(tcpRoundTrip(endpoints['echo-tcp']!, 'again')).resolves.toBe('again');
    await echo.stop();
    await echo.stop();
  });

  test('concurrent stop() calls (clean-up and a signal hook) all wait for the removal', async () => {
    const echo = target(fixture);
    await echo.start(['echo-tcp']);
    const id = docker('ps', '-q', '--filter', OURS);

    const first = echo.stop();
    await echo.stop();
    expect(docker('ps', '-a', '-q', '--filter', `id=${id}`)).toBe('');
    await first;
  });

  test('a server that exits at once fails fast, with its output', async () => {
    const broken = target({ ...socat, command: ['-d', '-d', 'NO-SUCH-ADDRESS:7', 'PIPE'] });
    const began = Date.now();

    const failure = await broken.start(['echo-tcp']).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(TargetError);
    // Which check notices first is a race: the exit watch, or the end of the log stream.
    expect((failure as TargetError).message).toMatch(/did not start: (the container exited|Log stream ended)/);
    expect((failure as TargetError).output.join('\n')).toMatch(/NO-SUCH-ADDRESS/i);
    expect(Date.now() - began).toBeLessThan(5_000);
    await broken.stop();
  });

  test('a server that never logs ready times out, with its output', async () => {
    const silent = target({ ...fixture, readyLog: 'never printed', startupTimeoutMs: 1_500 });

    const failure = await silent.start(['echo-tcp']).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(TargetError);
    expect((failure as TargetError).message).toMatch(/not received after 1500ms/);
    expect((failure as TargetError).output).toContain('listening on 7');
  });

  test('leaves no container behind', () => {
    expect(docker('ps', '-a', '-q', '--filter', OURS)).toBe('');
  });
});

describe('ContainerTarget without Docker', () => {
  afterEach(() => jest.restoreAllMocks());

  test('a missing engine is a one-line TargetError', async () => {
    jest
      .spyOn(GenericContainer.prototype, 'start')
      .mockRejectedValue(new Error('Could not find a working container runtime strategy'));
    const failure = await new ContainerTarget({ image: 'any', ports: { 'echo-tcp': { port: 7, transport: 'tcp' } } })
      .start(['echo-tcp'])
      .catch((err: unknown) => err);

    expect(failure).toBeInstanceOf(TargetError);
    expect((failure as TargetError).message).toBe(NO_RUNTIME_MESSAGE);
  });

  test('a service the image does not offer is refused before anything starts', async () => {
    const target = new ContainerTarget({ image: 'any', ports: { 'echo-tcp': { port: 7, transport: 'tcp' } } });

    await expect(target.start(['echo-udp'])).rejects.toThrow('image any offers no echo-udp service');
  });
});

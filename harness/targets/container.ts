import { execFileSync, spawnSync } from 'node:child_process';
import net from 'node:net';
import type { Readable } from 'node:stream';
import { DEFAULT_CONTAINER_STARTUP_TIMEOUT_MS } from '../containers/runtime';
import { OutputTail, type PrintedLine } from './output-tail';
import { holdUntilExit } from './exit-cleanup';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TargetExit } from './target-exit';
import type { ContainerRuntimeClient, InspectResult, StartedTestContainer } from 'testcontainers';
import { loadTestcontainers } from './container-package';
import { ListeningInContainer } from './container-listening';
import { retryWithBackoff } from './readiness';
import { type Endpoint, type Endpoints, type ServiceName, type Target, TargetError, type TlsEndpoint, type Transport } from './target';

const { GenericContainer, getContainerRuntimeClient, Wait } = loadTestcontainers('a container target');

/** Where a service listens inside the container. */
export interface ContainerPort {
  port: number;
  transport: Transport;
  /** For TLS services: passed on in the service's endpoint. */
  tls?: TlsEndpoint;
  /** The idle timeout the server declares (ms): passed on in the service's endpoint. */
  idleTimeoutMs?: number;
}

/** A file written into the container before it starts. */
export interface ContainerFile {
  content: string;
  /** Absolute path inside the container; missing folders are created. */
  target: string;
  mode?: number;
}

export interface ContainerTargetOptions {
  image: string;
  /** The services the image offers. Servers must listen on all interfaces inside the container. */
  ports: Partial<Record<ServiceName, ContainerPort>>;
  env?: Record<string, string>;
  /**
   * A line the server prints once it accepts connections. Without it, the container is ready once
   * its ports listen in its network namespace (container-listening.ts).
   */
  readyLog?: RegExp | string;
  startupTimeoutMs?: number;
  /** Replaces the image's CMD (the arguments after its entrypoint). */
  command?: string[];
  files?: readonly ContainerFile[];
}

const LOOPBACK = '127.0.0.1';
/** How long after its exit a container's last log lines may still be on their way. */
const LOG_GRACE_MS = 500;
const LOG_LINES_KEPT = 200;
const FAILURE_LINES = 20;
/** Lets `docker ps -a --filter label=org.sockspec.owner-pid` find containers a crashed run left. */
export const OWNER_LABEL = 'org.sockspec.owner-pid';
const NO_RUNTIME = /Could not find a working container runtime strategy|connect (ENOENT|ECONNREFUSED) \S*docker\.sock/;
/** What every container target says when there is no engine: one line, no stack (exit code 2). */
export const NO_RUNTIME_MESSAGE = 'no container runtime: start Docker (see docs/containers.md) or use the builtin target';

/**
 * Runs a server image through testcontainers, one fresh container per start. The cases connect to
 * the container's own address when this host reaches it, else to its ports published on loopback.
 */
export class ContainerTarget implements Target {
  private readonly image: string;
  private reach: string | undefined;
  private container: StartedTestContainer | undefined;
  private stopping: Promise<number | undefined> | undefined;
  private services: readonly ServiceName[] = [];
  private readonly output = new OutputTail(LOG_LINES_KEPT);
  /** Resolves when the log stream of the current container ends (it ends when the container does). */
  private logsEnded: Promise<void> = Promise.resolve();
  /** Watches the started container for an exit stop() did not ask for; aborted by stop(). */
  private exitWatch: AbortController | undefined;
  private exit: TargetExit | undefined;
  private readonly exitListeners: ((exit: TargetExit) => void)[] = [];

  constructor(readonly options: ContainerTargetOptions) {
    this.image = ['container:', options.image, ...(options.command ?? [])].join(' ');
  }

  /** The image and, once started, how the cases reach it. */
  get description(): string {
    return this.reach ? `${this.image} (${this.reach})` : this.image;
  }

  /** How the cases reach the container, once started: see reachableAddress(). */
  get route(): string | undefined {
    return this.reach;
  }

  async start(services: readonly ServiceName[]): Promise<Endpoints> {
    if (this.container) throw new Error(`${this.image} is already started: stop() or restart() it`);
    // No reaper image can be pulled offline; stop() and the exit hooks below remove containers instead.
    process.env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
    this.services = services;
    const ports = services.map((service) => this.portOf(service));
    // Tracked from creation on: a Ctrl-C while it starts must not leave it running.
    const container = new PublishedContainer(this.options, ports, (stream) => (this.logsEnded = this.output.follow(stream)), (id) => track(this, id));
    try {
      this.container = await container.launch();
    } catch (err) {
      throw await this.startFailure(err, container).finally(() => untrack(this));
    }
    this.watchForExit(this.container.getId());
    const direct = await reachableAddress(container.address());
    this.reach = direct ? 'container address, no proxy' : `ports published on ${LOOPBACK}, through Docker's proxy`;
    return Object.fromEntries(services.map((service, i) => [service, endpoint(container, ports[i], direct)]));
  }

  /** Concurrent calls (the CLI's clean-up and a signal hook) all wait for the one removal. */
  async stop(): Promise<void> {
    await this.stopWithin(0);
  }

  /**
   * Stops the container as `docker stop` does (SIGTERM, then SIGKILL after `graceMs`) and removes
   * it; resolves with its exit code (137: it was killed), undefined if it was not running.
   */
  async stopWithin(graceMs: number): Promise<number | undefined> {
    if (this.container) this.stopping = this.remove(this.container, graceMs);
    return this.stopping;
  }

  /** A fresh container for the same services: lifecycle cases check a server survives a restart. */
  async restart(): Promise<Endpoints> {
    await this.stop();
    return this.start(this.services);
  }

  /**
   * The last lines the containers wrote, stdout and stderr interleaved, for failure reports. They
   * arrive on their own stream: the ready line may show up a few milliseconds after start() returns.
   */
  logs(): string[] {
    return this.output.lines();
  }

  /**
   * Its log with the engine's timestamps while it runs (the log stream followed here arrives with
   * a delay that grows with the machine's load); once it is gone, the lines kept, timed on arrival.
   */
  printed(): PrintedLine[] {
    return (this.container && stampedLog(this.container.getId())) || this.output.printed();
  }

  watchExit(onExit: (exit: TargetExit) => void): void {
    if (this.exit) onExit(this.exit);
    else this.exitListeners.push(onExit);
  }

  /**
   * Waits on the engine for the container to stop running; unless stop() asked for it, that is the
   * target's exit, reported with its code and its last log lines (the log stream ends just after).
   */
  private watchForExit(containerId: string): void {
    const watch = (this.exitWatch = new AbortController());
    void getContainerRuntimeClient()
      .then((client) => client.container.getById(containerId).wait({ condition: 'not-running', abortSignal: watch.signal }))
      .then(async (result: { StatusCode: number }) => {
        if (watch.signal.aborted || this.exit) return;
        const at = Date.now();
        await Promise.race([this.logsEnded, sleep(LOG_GRACE_MS)]);
        this.exit = { exit: `code ${result.StatusCode}`, at, output: this.output.lines() };
        for (const onExit of this.exitListeners) onExit(this.exit);
      })
      .catch(() => undefined);
  }

  /** Untracked only once gone, so that the exit hook still covers a removal cut short. */
  private async remove(container: StartedTestContainer, graceMs: number): Promise<number | undefined> {
    this.exitWatch?.abort();
    this.container = undefined;
    const client = await getContainerRuntimeClient();
    const engineContainer = client.container.getById(container.getId());
    try {
      // docker stop counts whole seconds, and testcontainers rounds down: 500 ms would be no grace at all.
      await container.stop({ timeout: Math.ceil(graceMs / 1000) * 1000, remove: false });
      return (await client.container.inspect(engineContainer)).State.ExitCode;
    } finally {
      // Whatever failed above, the container must not outlive the run.
      await client.container.remove(engineContainer, { removeVolumes: true }).catch(() => removeNow(container.getId()));
      untrack(this);
      this.stopping = undefined;
    }
  }

  private portOf(service: ServiceName): ContainerPort {
    const port = this.options.ports[service];
    if (!port) throw new TargetError(`image ${this.options.image} offers no ${service} service`);
    return port;
  }

  private async startFailure(err: unknown, container: PublishedContainer): Promise<TargetError> {
    const reason = err instanceof Error ? err.message : String(err);
    if (NO_RUNTIME.test(reason)) {
      return new TargetError(NO_RUNTIME_MESSAGE);
    }
    const output = (await container.removeLeftover()) ?? this.output.lines();
    return new TargetError(`container ${this.options.image} did not start: ${reason}`, output.slice(-FAILURE_LINES));
  }
}

function endpoint(container: PublishedContainer, { port, transport, tls, idleTimeoutMs }: ContainerPort, direct: string | undefined): Endpoint {
  const at = direct ? { host: direct, port } : { host: LOOPBACK, port: container.hostPort({ port, transport }) };
  return { ...at, transport, ...(tls && { tls }), ...(idleTimeoutMs !== undefined && { idleTimeoutMs }) };
}

/** Any port does: refused and accepted both prove the address answers. Port 1 is almost always closed. */
const PROBE_PORT = 1;
const PROBE_TIMEOUT_MS = 500;
/** How long the first container's address gets to answer: it tells whether this engine's container addresses can be reached at all. */
const FIRST_PROBING_MS = 1_500;
/**
 * How long every later container's address gets: it answers only once its network is wired (a
 * veth, a neighbour entry). A case's first connect to a container started a moment before got
 * EHOSTUNREACH in CI when this was probed once per engine instead of once per container.
 */
const LATER_PROBING_MS = 5_000;
/** Whether this engine's container addresses can be reached from here, learned from the first container's probes. */
let engineReachesContainers: boolean | undefined;

/**
 * The container's own address when this host can reach it (a Linux engine, bridge network), else
 * undefined (Docker Desktop, rootless or remote engines). Published ports go through Docker's
 * userland proxy, which is not transparent: it drops zero-length UDP datagrams both ways, answers
 * TCP connects itself before the server does, and can turn the server's RST into a FIN, so verdicts
 * would be the proxy's. Resolves once the address answers, so the cases' first connect finds it wired.
 */
async function reachableAddress(address: string | undefined): Promise<string | undefined> {
  if (!address || engineReachesContainers === false) return undefined;
  const probing = engineReachesContainers ? LATER_PROBING_MS : FIRST_PROBING_MS;
  const { ready } = await retryWithBackoff(() => answers(address), { deadline: Date.now() + probing, alive: () => true });
  if (ready) engineReachesContainers = true;
  else engineReachesContainers ??= false;
  // Reached before: this container's address stays the way to it, and a case's connect says what is wrong.
  return engineReachesContainers ? address : undefined;
}

function answers(address: string): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: address, port: PROBE_PORT });
    const done = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code === 'ECONNREFUSED'));
  });
}

/**
 * A GenericContainer that publishes its ports on 127.0.0.1 only (testcontainers binds all
 * interfaces), and notices a container that exits before testcontainers waits for its ready line.
 */
class PublishedContainer extends GenericContainer {
  private id: string | undefined;
  private ports: InspectResult['ports'] | undefined;
  private addresses: string[] = [];
  private readonly exited: Promise<number>;
  private onExit!: (code: number) => void;
  private readonly exitWatch = new AbortController();

  constructor(
    options: ContainerTargetOptions,
    ports: readonly ContainerPort[],
    logs: (stream: Readable) => void,
    private readonly created: (containerId: string) => void,
  ) {
    super(options.image);
    this.exited = new Promise((resolve) => (this.onExit = resolve));
    const keys = [...new Set(ports.map(portKey))];
    this.withExposedPorts(...keys)
      .withWaitStrategy(options.readyLog === undefined ? new ListeningInContainer(ports) : Wait.forLogMessage(options.readyLog))
      .withStartupTimeout(options.startupTimeoutMs ?? DEFAULT_CONTAINER_STARTUP_TIMEOUT_MS)
      .withEnvironment(options.env ?? {})
      .withLabels({ [OWNER_LABEL]: String(process.pid) })
      .withLogConsumer(logs);
    if (options.command) this.withCommand(options.command);
    if (options.files) this.withCopyContentToContainer([...options.files]);
    this.hostConfig.PortBindings = Object.fromEntries(keys.map((key) => [key, [{ HostIp: LOOPBACK, HostPort: '0' }]]));
  }

  /**
   * start(), but failing as soon as the container exits before its ports are published: there
   * testcontainers would poll for the ports for 10 s, then leave the exited container behind.
   * Later exits end the log stream, which testcontainers reports itself.
   */
  launch(): Promise<StartedTestContainer> {
    const exitedEarly = this.exited.then((code) =>
      this.ports ? new Promise<never>(() => undefined) : Promise.reject(new Error(`the container exited (code ${code}) before it was up`)),
    );
    // The exit watch is a long-poll to the engine: left open, it would keep the process alive.
    return Promise.race([this.start(), exitedEarly]).finally(() => this.exitWatch.abort());
  }

  /** Reads `ports` here rather than through getMappedPort, which loses 7/tcp when 7/udp is also exposed. */
  hostPort(port: ContainerPort): number {
    const binding = this.ports?.[portKey(port)]?.[0];
    if (!binding) throw new TargetError(`container ${this.imageName.string} did not publish ${portKey(port)}`);
    return binding.hostPort;
  }

  /** The container's address on its (first) network, as the engine reported it at start. */
  address(): string | undefined {
    return this.addresses[0];
  }

  /** Removes the container if a failed start left it, returning what it printed. */
  async removeLeftover(): Promise<string[] | undefined> {
    if (this.id === undefined) return undefined;
    const client = await getContainerRuntimeClient();
    const container = client.container.getById(this.id);
    const state = await container.inspect().then((inspected) => inspected.State, () => undefined);
    if (!state) return undefined; // gone already: testcontainers removes a container that fails its wait
    // A container that never ran printed nothing, and following its logs would wait for it to start;
    // the engine's own error (e.g. a missing entrypoint) says why it did not.
    const output = state.Status === 'created' ? [state.Error].filter(Boolean) : await printed(client, container);
    // The start has failed already: a failing clean-up must not hide why.
    await container.remove({ force: true, v: true }).catch(() => undefined);
    return output;
  }

  protected override async containerCreated(containerId: string): Promise<void> {
    this.id = containerId;
    this.created(containerId);
    const client = await getContainerRuntimeClient();
    // Waiting from creation on: an exit between start and a later wait() call would go unseen.
    client.container
      .getById(containerId)
      .wait({ condition: 'next-exit', abortSignal: this.exitWatch.signal })
      .then((result: { StatusCode: number }) => this.onExit(result.StatusCode), () => undefined);
  }

  protected override async containerStarting(inspectResult: InspectResult): Promise<void> {
    this.ports = inspectResult.ports;
    this.addresses = Object.values(inspectResult.networkSettings)
      .map((network) => network.ipAddress)
      .filter(Boolean);
  }
}

/** The engine's handle on a container (dockerode's, which the project does not depend on directly). */
type EngineContainer = ReturnType<ContainerRuntimeClient['container']['getById']>;

/** Everything a container printed, once it has stopped. */
async function printed(client: ContainerRuntimeClient, container: EngineContainer): Promise<string[]> {
  await client.container.stop(container, { timeout: 0 });
  const tail = new OutputTail(FAILURE_LINES);
  await tail.follow(await client.container.logs(container));
  return tail.lines();
}

function portKey({ port, transport }: ContainerPort): `${number}/${Transport}` {
  return `${port}/${transport}`;
}

/*
 * Without a reaper, a container outlives the process that started it. Each live one is held until
 * it is gone (exit-cleanup.ts: stopped on SIGINT/SIGTERM, removed on exit). A container still
 * starting has nothing to stop() yet: the exit path removes it by id.
 */
const releases = new Map<ContainerTarget, () => void>();

function track(target: ContainerTarget, containerId: string): void {
  releases.get(target)?.();
  releases.set(target, holdUntilExit({ stop: () => target.stop(), removeNow: () => removeNow(containerId) }));
}

function untrack(target: ContainerTarget): void {
  releases.get(target)?.();
  releases.delete(target);
}

const LOG_LINES_STAMPED = 10_000;

/** `docker logs --timestamps`: each line as the engine received it, stdout and stderr in time order. */
function stampedLog(containerId: string): PrintedLine[] | undefined {
  const result = spawnSync('docker', ['logs', '--timestamps', '--tail', String(LOG_LINES_STAMPED), containerId], { encoding: 'utf8', timeout: 10_000, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) return undefined;
  return `${result.stdout}${result.stderr}`
    .split('\n')
    .map((line) => /^(\S+Z) (.*)$/.exec(line))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => ({ at: Date.parse(match[1]), text: match[2] }))
    .sort((a, b) => a.at - b.at);
}

/** `exit` listeners must be synchronous: the Docker API is asynchronous, the CLI can be waited for. */
function removeNow(containerId: string): void {
  execFileSync('docker', ['rm', '--force', containerId], { stdio: 'ignore', timeout: 10_000 });
}

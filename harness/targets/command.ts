import { cachedCertificateSet } from '../certs/cache';
import { makeServerCertificates, type ServerCertificateFiles } from '../certs/write';
import { freePort } from './free-port';
import type { Instance, LaunchOutcome, Launcher } from './launcher';
import type { PrintedLine } from './output-tail';
import type { TargetExit } from './target-exit';
import { retryWithBackoff, tcpAccepts, udpBound } from './readiness';
import { ServerProcess } from './server-process';
import { listeningPorts, listeningSockets, procSockets } from './proc-sockets';
import { splitCommand } from './split-command';
import { SERVICE_TRANSPORT, TLS_SERVICES, TargetError, type Endpoints, type ServiceName, type Target, type TlsEndpoint, type Transport } from './target';

export interface CommandTargetOptions {
  /**
   * The command line; `{port}` is replaced by the port sockspec chose, and `{cert}`, `{key}`,
   * `{ca}` by files holding the run's server certificate, its key and the CA that signed both it
   * and the client certificates the TLS cases present.
   */
  command: string;
  /** What a TLS server declares (SNI name, ALPN list); its certificate is the run's own. */
  tls?: TlsEndpoint;
  /** A line the server prints once it listens; needed for UDP servers on systems without /proc. */
  readyLog?: RegExp;
  /** The address the server is reached at; by default 127.0.0.1 or ::1, whichever it listens on. */
  host?: string;
  /** How long the server may take to listen. */
  startTimeoutMs?: number;
  /** How long it may take to exit after SIGTERM before it is killed. */
  stopTimeoutMs?: number;
}

const HOST = '127.0.0.1';
/** Where a server on this host may listen when --host does not say: many listen on `localhost`, which may be either. */
const LOOPBACKS = [HOST, '::1'];
/** How long a command may take to be ready when --start-timeout does not say. */
export const DEFAULT_START_TIMEOUT_MS = 10_000;
const PLACEHOLDER = /\{(port|cert|key|ca)\}/g;

/** Where a command runs when not on this host's loopback: e.g. inside a network namespace. */
export interface Placement {
  /** The address the server is reached at (and probed on). */
  host: string;
  /** The command line that runs the program there. */
  wrap(program: string, args: string[]): [string, string[]];
}

const ON_THIS_HOST: Placement = { host: HOST, wrap: (program, args) => [program, args] };

/**
 * Starts the command as a server on a given port. No shell runs: the command is split into words
 * and the placeholders substituted word by word, so nothing in them is ever interpreted.
 */
export class CommandLauncher implements Launcher {
  readonly description: string;
  /** False when the placement runs it elsewhere (a network namespace has ports of its own). */
  readonly sharesHostNetwork: boolean;
  private readonly words: string[];
  /** The addresses the server is probed on, in order of preference. */
  private readonly hosts: string[];
  private certificates: ServerCertificateFiles | undefined;

  constructor(
    private readonly options: CommandTargetOptions,
    private readonly placement: Placement = ON_THIS_HOST,
  ) {
    this.description = `command: ${options.command}`;
    this.sharesHostNetwork = placement === ON_THIS_HOST;
    this.hosts = placement !== ON_THIS_HOST ? [placement.host] : options.host ? [options.host] : LOOPBACKS;
    try {
      this.words = splitCommand(options.command);
    } catch (err) {
      throw new TargetError((err as Error).message);
    }
    if (this.words.length === 0) throw new TargetError('the command is empty');
    if (!this.words.some((word) => word.includes('{port}'))) {
      throw new TargetError(`the command has no {port}: sockspec picks the port and puts it there\n  command: ${options.command}`);
    }
  }

  async launch(service: ServiceName, port: number, deadline: number, expect: 'listening' | 'failure' = 'listening'): Promise<LaunchOutcome> {
    const began = Date.now();
    const values: Record<string, string> = { ...(await this.certificateFiles()), port: String(port) };
    const [program, ...args] = this.words.map((word) => word.replace(PLACEHOLDER, (whole, name: string) => values[name] ?? whole));
    const server = new ServerProcess(...this.placement.wrap(program, args));
    const instance = processInstance(server);
    if (expect === 'failure') {
      const exited = await server.waitForExit(deadline);
      return exited ? { ready: false, instance, why: `the command exited (${server.exitDescription})` } : { ready: true, instance };
    }
    const readyLog = this.options.readyLog;
    const transport = SERVICE_TRANSPORT[service];
    let acceptedOn: string | undefined;
    const accepts = async () => {
      for (const host of this.hosts) {
        if (await tcpAccepts(host, port)) {
          acceptedOn = host;
          return true;
        }
      }
      return false;
    };
    const probe = readyLog ? async () => server.output.seen(readyLog) : transport === 'tcp' ? accepts : async () => udpBound(port, server.pid);
    const { ready, attempts } = await retryWithBackoff(probe, { deadline, alive: () => !server.exited });
    if (ready) {
      const host = acceptedOn ?? this.boundHost(transport, port, server.pid);
      return { ready, instance, attempts, endpoint: { host, port, transport } };
    }
    const on = this.hosts.map((host) => hostPort(host, port)).join(' or ');
    const how = readyLog ? `print a line matching ${readyLog}` : `listen on ${on}`;
    const why = server.spawnError
      ? `could not start ${program}: ${(server.spawnError as NodeJS.ErrnoException).code ?? server.spawnError.message}`
      : server.exited
        ? `the command exited (${server.exitDescription}) before it would ${how}`
        : `the command did not ${how} within ${((deadline - began) / 1000).toFixed(1)} s${this.whereItListens(server.pid, port)}`;
    return { ready, instance, why };
  }

  /**
   * Which of the probed addresses a server ready by its log line (or a UDP one) is bound to, read
   * from /proc; the first one when /proc does not tell.
   */
  private boundHost(transport: Transport, port: number, pid: number | undefined): string {
    const sockets = (transport === 'tcp' ? (pid === undefined ? [] : listeningSockets(pid)) : procSockets('udp', pid) ?? []).filter((s) => s.port === port);
    return this.hosts.find((host) => sockets.some((s) => s.address === host || s.address === wildcardOf(host) || s.address === '::')) ?? this.hosts[0];
  }

  /** For a server that is not where it was looked for: where it does listen, if anywhere, and what to do. */
  private whereItListens(pid: number | undefined, port: number): string {
    // Elsewhere (a network namespace), --host would not help: the placement says where it must listen.
    const sockets = pid === undefined || !this.sharesHostNetwork ? [] : listeningSockets(pid);
    if (sockets.length === 0) return '';
    const where = sockets.map((s) => hostPort(s.address, s.port)).join(', ');
    const other = sockets.find((s) => s.port === port);
    if (other) return `; it listens on ${where} only: connect with --host ${other.address}`;
    return `; it listens on ${where}: is {port} where the command takes its port?`;
  }

  /** Removes the certificate files written for the command, if any. */
  async dispose(): Promise<void> {
    await this.certificates?.remove();
    this.certificates = undefined;
  }

  /**
   * Writes the server's certificate, its key and the CA certificate only when the command names one
   * of them, in a folder of their own: the CA and client keys are never where the server can look.
   */
  private async certificateFiles(): Promise<Record<string, string>> {
    if (!this.words.some((word) => /\{(cert|key|ca)\}/.test(word))) return {};
    this.certificates ??= await makeServerCertificates(await cachedCertificateSet());
    const { cert, key, ca } = this.certificates;
    return { cert, key, ca };
  }
}

/** `127.0.0.1:7` or `[::1]:7`. */
function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The "any address" a socket bound to serve `host` too may show in /proc. */
function wildcardOf(host: string): string {
  return host.includes(':') ? '::' : '0.0.0.0';
}

function processInstance(server: ServerProcess): Instance {
  return {
    get running() {
      return !server.exited;
    },
    get exitDescription() {
      return server.exitDescription;
    },
    output: () => server.output.lines().slice(-20),
    printed: () => server.output.printed(),
    ended: server.ended,
    listeningPorts: () => (server.pid === undefined || server.exited ? [] : listeningPorts(server.pid)),
    stop: (timeoutMs) => server.stop(timeoutMs),
  };
}

/** A server started from a command line: one process (group) per service, on a port sockspec picks. */
export class CommandTarget implements Target {
  readonly description: string;
  readonly launcher: CommandLauncher;
  private instances: Instance[] = [];
  /** Set by stop(): an exit from then on is the one asked for. */
  private stopping = false;
  private exit: TargetExit | undefined;
  private readonly exitListeners: ((exit: TargetExit) => void)[] = [];

  constructor(readonly options: CommandTargetOptions) {
    this.launcher = new CommandLauncher(options);
    this.description = this.launcher.description;
  }

  async start(services: readonly ServiceName[]): Promise<Endpoints> {
    const endpoints: Endpoints = {};
    this.stopping = false;
    for (const service of services) {
      const transport = SERVICE_TRANSPORT[service];
      const port = await freePort(transport, HOST);
      const outcome = await this.launcher.launch(service, port, Date.now() + (this.options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS));
      this.instances.push(outcome.instance);
      if (!outcome.ready) {
        const output = outcome.instance.output();
        await this.stop();
        throw new TargetError(`${outcome.why}\n  command: ${this.options.command}`, output);
      }
      this.watch(outcome.instance);
      endpoints[service] = { host: outcome.endpoint?.host ?? HOST, port, transport, tls: TLS_SERVICES.includes(service) ? this.options.tls ?? {} : undefined };
    }
    return endpoints;
  }

  printed(): PrintedLine[] {
    return this.instances.flatMap((instance) => instance.printed?.() ?? []).sort((a, b) => a.at - b.at);
  }

  watchExit(onExit: (exit: TargetExit) => void): void {
    if (this.exit) onExit(this.exit);
    else this.exitListeners.push(onExit);
  }

  /** The first of its processes to end before stop() is the target's exit. */
  private watch(instance: Instance): void {
    void instance.ended?.then((at) => {
      if (this.stopping || this.exit) return;
      this.exit = { exit: instance.exitDescription ?? 'unknown', at, output: instance.output() };
      for (const onExit of this.exitListeners) onExit(this.exit);
    });
  }

  async stop(): Promise<void> {
    this.stopping = true;
    const instances = this.instances;
    this.instances = [];
    await Promise.all(instances.map((instance) => instance.stop(this.options.stopTimeoutMs ?? 3000)));
    await this.launcher.dispose();
  }
}

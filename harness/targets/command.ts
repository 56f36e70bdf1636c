import { spawn, type ChildProcess } from 'node:child_process';
import { freePort } from './free-port';
import { OutputTail } from './output-tail';
import { retryWithBackoff, tcpAccepts, udpBound } from './readiness';
import { splitCommand } from './split-command';
import { SERVICE_TRANSPORT, TLS_SERVICES, TargetError, type Endpoints, type ServiceName, type Target, type TlsEndpoint } from './target';
import { cachedCertificateSet } from '../certs/cache';
import { makeTempCertificates, type TempCertificates } from '../certs/write';

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
  /** How long the server may take to listen. */
  startTimeoutMs?: number;
  /** How long it may take to exit after SIGTERM before it is killed. */
  stopTimeoutMs?: number;
}

const HOST = '127.0.0.1';

interface Launched {
  child: ChildProcess;
  output: OutputTail;
  exited: boolean;
  /** Set when the program could not be started at all (e.g. not found). */
  spawnError?: Error;
}

/**
 * A server started from a command line: one process (group) per service, on a port sockspec picks.
 * No shell runs: the command is split into words and `{port}` substituted word by word.
 */
export class CommandTarget implements Target {
  readonly controlled = true;
  readonly description: string;
  private launched: Launched[] = [];
  private readonly words: string[];
  private certificates: TempCertificates | undefined;

  constructor(private readonly options: CommandTargetOptions) {
    this.description = `command: ${options.command}`;
    try {
      this.words = splitCommand(options.command);
    } catch (err) {
      throw new TargetError((err as Error).message);
    }
    if (this.words.length === 0) throw new TargetError('the command is empty');
  }

  async start(services: readonly ServiceName[]): Promise<Endpoints> {
    const endpoints: Endpoints = {};
    const files = await this.certificateFiles();
    for (const service of services) {
      const transport = SERVICE_TRANSPORT[service];
      const port = await freePort(transport, HOST);
      const launched = this.launch({ ...files, port: String(port) });
      const ready = await this.waitReady(launched, transport, port);
      if (!ready) {
        const failure = this.failure(launched, port);
        await this.stop();
        throw failure;
      }
      endpoints[service] = { host: HOST, port, transport, tls: TLS_SERVICES.includes(service) ? this.options.tls ?? {} : undefined };
    }
    return endpoints;
  }

  async stop(): Promise<void> {
    const launched = this.launched;
    this.launched = [];
    await Promise.all(launched.map((l) => stopGroup(l, this.options.stopTimeoutMs ?? 3000)));
    await this.certificates?.remove();
    this.certificates = undefined;
  }

  /** Writes the run's certificates only when the command names one of them. */
  private async certificateFiles(): Promise<Record<string, string>> {
    if (!this.words.some((word) => /\{(cert|key|ca)\}/.test(word))) return {};
    this.certificates ??= await makeTempCertificates(await cachedCertificateSet());
    const { server, ca } = this.certificates.paths;
    return { cert: server.cert, key: server.key, ca: ca.cert };
  }

  private launch(values: Record<string, string>): Launched {
    const [program, ...args] = this.words.map((word) => word.replace(/\{(port|cert|key|ca)\}/g, (whole, name: string) => values[name] ?? whole));
    // detached: the server gets a process group of its own, so stop() reaches its children too.
    const child = spawn(program, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const output = new OutputTail();
    const launched: Launched = { child, output, exited: false };
    output.follow(child.stdout as NonNullable<typeof child.stdout>);
    output.follow(child.stderr as NonNullable<typeof child.stderr>);
    child.on('error', (err) => {
      launched.exited = true;
      launched.spawnError = err;
    });
    child.on('exit', () => {
      launched.exited = true;
    });
    this.launched.push(launched);
    trackForExit(launched);
    return launched;
  }

  private async waitReady(launched: Launched, transport: 'tcp' | 'udp', port: number): Promise<boolean> {
    const deadline = Date.now() + (this.options.startTimeoutMs ?? 10_000);
    const alive = () => !launched.exited;
    const readyLog = this.options.readyLog;
    const probe = readyLog
      ? async () => launched.output.seen(readyLog)
      : transport === 'tcp'
        ? () => tcpAccepts(HOST, port)
        : async () => udpBound(port);
    return (await retryWithBackoff(probe, { deadline, alive })).ready;
  }

  private failure(launched: Launched, port: number): TargetError {
    const { spawnError } = launched;
    const how = this.options.readyLog ? `print a line matching ${this.options.readyLog}` : `listen on ${HOST}:${port}`;
    const reason = spawnError
      ? `could not start ${this.words[0]}: ${(spawnError as NodeJS.ErrnoException).code ?? spawnError.message}`
      : launched.child.exitCode !== null || launched.child.signalCode !== null
        ? `the command exited (${launched.child.exitCode !== null ? `code ${launched.child.exitCode}` : launched.child.signalCode}) before it would ${how}`
        : `the command did not ${how} within ${(this.options.startTimeoutMs ?? 10_000) / 1000} s`;
    return new TargetError(`${reason}\n  command: ${this.options.command}`, launched.output.last());
  }
}

/** SIGTERM to the whole group, then SIGKILL if it lingers. */
function stopGroup(launched: Launched, timeoutMs: number): Promise<void> {
  untrackForExit(launched);
  const pid = launched.child.pid;
  if (launched.exited || pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => signalGroup(pid, 'SIGKILL'), timeoutMs);
    launched.child.once('exit', () => {
      clearTimeout(timer);
      signalGroup(pid, 'SIGKILL'); // children the server left behind
      resolve();
    });
    signalGroup(pid, 'SIGTERM');
  });
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/** Process groups still running when this process exits (e.g. on Ctrl-C) are killed on the way out. */
const running = new Set<Launched>();
let exitHookInstalled = false;

function trackForExit(launched: Launched): void {
  running.add(launched);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const l of running) if (l.child.pid !== undefined && !l.exited) signalGroup(l.child.pid, 'SIGKILL');
  });
}

function untrackForExit(launched: Launched): void {
  running.delete(launched);
}

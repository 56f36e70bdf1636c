import { existsSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../package-paths';
import { CommandLauncher, DEFAULT_START_TIMEOUT_MS, type CommandTargetOptions } from '../targets/command';
import type { MovableServer } from '../targets/define';
import type { Instance } from '../targets/launcher';
import { SERVICE_TRANSPORT, TLS_SERVICES, TargetError, type Endpoints, type ServiceName, type Target } from '../targets/target';
import { LinkConditions } from './conditions';
import { NetworkNamespace } from './namespace';
import { NamespaceError } from './namespace-error';

/** The namespace is the server's alone, so it can have the service's well-known port. */
const PORT = 7;
const SERVE_ENTRY = path.join(PACKAGE_ROOT, 'dist', 'harness', 'servers', 'serve-main.js');
/** For the namespace's set-up: a dozen ip commands of milliseconds each, with room for a loaded machine. */
const SET_UP_MS = 5000;


/**
 * A server run inside a network namespace of its own, reached over a veth pair whose conditions
 * (loss, firewall, rate, delay) the `network` step sets. The reference servers run as a process
 * (`serve-main.js`, from the built project) since a namespace holds processes, not sockets.
 */
export class NamespaceTarget implements Target {
  readonly description: string;
  private ns: NetworkNamespace | undefined;
  private launchers: CommandLauncher[] = [];
  private instances: Instance[] = [];
  private link: LinkConditions | undefined;
  /** The start under way: stop() waits for it, or what it makes would appear after the stop. */
  private starting: Promise<unknown> | undefined;

  constructor(private readonly server: MovableServer) {
    this.description = `${'builtin' in server ? 'builtin' : `command: ${server.command.command}`} (in a network namespace)`;
  }

  /** The conditions of the veth pair, once started. */
  get conditions(): LinkConditions | undefined {
    return this.link;
  }

  /** The longest start() can take: the namespace's set-up, then each service's start in turn. */
  startBudgetMs(services: readonly ServiceName[]): number {
    return SET_UP_MS + services.length * this.startTimeoutMs;
  }

  start(services: readonly ServiceName[]): Promise<Endpoints> {
    const started = this.startAll(services);
    this.starting = started.catch(() => undefined);
    return started;
  }

  async stop(): Promise<void> {
    await this.starting;
    await this.tearDown();
  }

  private async startAll(services: readonly ServiceName[]): Promise<Endpoints> {
    const endpoints: Endpoints = {};
    try {
      const ns = await NetworkNamespace.create();
      this.ns = ns;
      this.link = new LinkConditions(ns);
      for (const service of services) {
        const options = this.commandFor(service);
        const launcher = new CommandLauncher(options, { host: ns.address, wrap: (program, args) => ns.exec(program, args) });
        this.launchers.push(launcher);
        const outcome = await launcher.launch(service, PORT, Date.now() + this.startTimeoutMs);
        this.instances.push(outcome.instance);
        if (!outcome.ready) {
          throw new TargetError(`${outcome.why} inside network namespace ${ns.name} (listen on 0.0.0.0 or ${ns.address})\n  command: ${options.command}`, outcome.instance.output());
        }
        const tls = TLS_SERVICES.includes(service) ? ('command' in this.server ? this.server.command.tls ?? {} : {}) : undefined;
        endpoints[service] = { host: ns.address, port: PORT, transport: SERVICE_TRANSPORT[service], tls };
      }
    } catch (err) {
      await this.tearDown();
      throw err instanceof NamespaceError ? new TargetError(`could not set up the network namespace: ${err.message}`) : err;
    }
    return endpoints;
  }

  private async tearDown(): Promise<void> {
    const instances = this.instances;
    this.instances = [];
    await Promise.all(instances.map((instance) => instance.stop(3000)));
    const launchers = this.launchers;
    this.launchers = [];
    await Promise.all(launchers.map((launcher) => launcher.dispose()));
    this.link = undefined;
    await this.ns?.remove();
    this.ns = undefined;
  }

  private get startTimeoutMs(): number {
    return ('command' in this.server ? this.server.command.startTimeoutMs : undefined) ?? DEFAULT_START_TIMEOUT_MS;
  }

  private commandFor(service: ServiceName): CommandTargetOptions {
    if ('command' in this.server) return this.server.command;
    if (!existsSync(SERVE_ENTRY)) throw new TargetError(`the reference servers run from the built project: ${SERVE_ENTRY} is missing (npm run build)`);
    // Network cases stall for longer than the 2 s idle timeout the reference echo keeps elsewhere.
    const words = [process.execPath, SERVE_ENTRY, service, '--port', '{port}', '--host', '0.0.0.0', '--no-idle-timeout'];
    return { command: words.map(quoted).join(' '), readyLog: /listening on/ };
  }
}

/** Single-quotes a word for splitCommand, so a path with spaces stays one word. */
function quoted(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

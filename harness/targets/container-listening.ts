import { existsSync } from 'node:fs';
import type { WaitStrategy } from 'testcontainers';
import { DEFAULT_CONTAINER_STARTUP_TIMEOUT_MS } from '../containers/runtime';
import { TCP_STATE, procSockets } from './proc-sockets';
import { retryWithBackoff } from './readiness';
import type { Transport } from './target';

type EngineContainer = Parameters<WaitStrategy['waitUntilReady']>[0];

/** A port the server must listen on inside the container (a UDP one: be bound). */
export interface InsidePort {
  port: number;
  transport: Transport;
}

/**
 * Ready when every port is in LISTEN state (UDP: bound) in the container's own network namespace,
 * read from the host as /proc/PID/net/{tcp,udp}{,6} of the container's first process: nothing is
 * asked of the server (no log line, no shell or tool in the image), and Docker's proxy, which
 * accepts connections on the published port before the server listens, is not consulted.
 */
export class ListeningInContainer implements WaitStrategy {
  private startupTimeoutMs = DEFAULT_CONTAINER_STARTUP_TIMEOUT_MS;
  private timeoutSet = false;

  constructor(private readonly ports: readonly InsidePort[]) {}

  async waitUntilReady(container: EngineContainer): Promise<void> {
    const began = Date.now();
    const deadline = began + this.startupTimeoutMs;
    const pid = (await container.inspect()).State.Pid;
    const proc = `/proc/${pid}/net/tcp`;
    if (!pid || !existsSync(proc)) {
      throw new Error(`its sockets cannot be read from this host (${proc}: the engine runs elsewhere, e.g. Docker Desktop): give --ready-log REGEX, a line the server prints once it serves`);
    }
    const missing = () => this.ports.filter((port) => !listens(pid, port));
    const { ready } = await retryWithBackoff(async () => missing().length === 0, { deadline, alive: () => existsSync(proc) });
    if (ready) return;
    const ports = missing().map(({ port, transport }) => `${port}/${transport}`).join(', ');
    const listening = [...new Set((procSockets('tcp', pid) ?? []).filter((s) => s.state === TCP_STATE.listen).map((s) => `${s.port}/tcp`))];
    const where = listening.length ? `; it listens on ${listening.join(', ')} (is that the port to give?)` : '';
    throw new Error(`nothing listened on ${ports} inside the container within ${((Date.now() - began) / 1000).toFixed(1)} s${where}`);
  }

  withStartupTimeout(startupTimeoutMs: number): this {
    this.startupTimeoutMs = startupTimeoutMs;
    this.timeoutSet = true;
    return this;
  }

  isStartupTimeoutSet(): boolean {
    return this.timeoutSet;
  }

  getStartupTimeout(): number {
    return this.startupTimeoutMs;
  }
}

function listens(pid: number, { port, transport }: InsidePort): boolean {
  return (procSockets(transport, pid) ?? []).some((socket) => socket.port === port && (transport === 'udp' || socket.state === TCP_STATE.listen));
}

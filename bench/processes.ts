import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..');

export interface ServerProcess {
  port: number;
  /** The server's process, e.g. to read its RSS. */
  pid: number;
  stop(): void;
}

/** Starts a server process and waits for the line that gives its port (or for it to accept). */
export function startProcess(command: string, args: string[], portFrom: RegExp | number): Promise<ServerProcess> {
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT });
  const stop = () => child.kill('SIGKILL');
  process.once('exit', stop);
  const pid = child.pid ?? 0;
  if (typeof portFrom === 'number') return new Promise((resolve) => setTimeout(() => resolve({ port: portFrom, pid, stop }), 300));
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      const match = portFrom.exec(chunk.toString());
      if (match) resolve({ port: Number(match[1]), pid, stop });
    });
    child.on('exit', (code) => reject(new Error(`${command} exited (${code}) before listening`)));
  });
}

export function startReferenceEcho(): Promise<ServerProcess> {
  return startProcess(process.execPath, [path.join(ROOT, 'bin', 'sockspec.js'), 'serve', 'echo-tcp'], /listening on 127\.0\.0\.1:(\d+)/);
}

export const BIN = path.join(ROOT, 'bin', 'sockspec.js');
export { ROOT };

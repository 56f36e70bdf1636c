import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { runCase } from '../harness/run/run-case';
import type { Step } from '../harness/steps/registry';
import type { Suite } from '../harness/suite/schema';
import { CommandLauncher } from '../harness/targets/command';
import type { Launcher } from '../harness/targets/launcher';

/**
 * A case whose deadline passes while a launch step is still starting a server: the clean-up must
 * stop the instance that comes up after the case gave up, not only what was registered by then.
 */
const suite: Suite = { file: '<test>', suite: 'deadline', title: 't', service: 'echo-tcp', cases: [] };
const steps = (...s: unknown[]) => ({ id: 'c', title: 't', requirement: 'r', ref: 'rfc862', timeout: '400ms', steps: s as Step[] });

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'sockspec-deadline-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', () => resolve(true));
  });
}

/** A server that writes its pid at once and listens only after `delayMs`, as a slow starter does. */
function slowServer(pidFile: string, delayMs: number): Launcher {
  const program = `require('fs').writeFileSync(process.argv[1], String(process.pid)); setTimeout(() => require('net').createServer((s) => s.pipe(s)).listen(+process.argv[2], '127.0.0.1'), ${delayMs})`;
  return new CommandLauncher({ command: `"${process.execPath}" -e "${program}" ${pidFile} {port}` });
}

test('an instance that finishes starting after the case deadline is stopped, and nothing listens on its port', async () => {
  const pidFile = path.join(dir, 'pid');
  const outcome = await runCase(suite, steps({ launch: { within: '5s' } }), {}, { launcher: slowServer(pidFile, 1200) });
  expect(outcome.failure?.summary).toBe('the case deadline of 400 ms passed');
  const pid = Number(readFileSync(pidFile, 'utf8'));
  const port = Number(/launch on port (\d+)/.exec(outcome.transcript.events.map((e) => e.detail ?? '').join('\n'))?.[1]);
  const leaked = alive(pid);
  if (leaked) process.kill(pid, 'SIGKILL');
  expect({ leaked, refused: await refused(port) }).toEqual({ leaked: false, refused: true });
}, 20_000);

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT, tempDir } from './support/cli';
import { describeWithNetns, hostNftTables, leftovers } from './support/netns';
import { HOST_LINK, NAMESPACE } from '../harness/netns/namespace';
import { PYTHON } from '../fixtures/mutants/python';

const BIN = path.join(ROOT, 'bin', 'sockspec.js');
/** A client that never gives up on a connect: the case holds its namespace until it is interrupted. */
const HANGING_CLIENT = `${PYTHON} -B ${path.join(ROOT, 'fixtures', 'clients', 'timing', 'mutants', 'no-timeout.py')} {host} {port} {timeout}`;

/** The pid in a sockspec namespace's or host link's name. */
function ownerOf(name: string): number {
  return Number((NAMESPACE.exec(name) ?? HOST_LINK.exec(name) ?? [])[1]);
}

function parentOf(pid: number): number | undefined {
  try {
    return Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
  } catch {
    return undefined;
  }
}

describeWithNetns('client-timeouts syn-dropped leaves nothing behind', () => {
  test('Ctrl-C while the client waits on a dropped SYN: the namespace, its veth pair and its nft table are gone, the host firewall untouched', async () => {
    const dir = tempDir();
    const hostTables = hostNftTables();
    try {
      const cli = spawn(process.execPath, [BIN, 'run', '--suite', 'client-timeouts', '--filter', 'syn-dropped', '--client', HANGING_CLIENT, '--client-timeout', '20s', '--reports', dir.path], {
        cwd: ROOT,
        env: { ...process.env, NO_COLOR: '1' },
        detached: true,
      });
      const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
      // The case's namespace and host link are named after the process that made them: the CLI (jest
      // in band) or a jest worker it started; other runs on the machine may have theirs meanwhile.
      let made: string[] = [];
      for (let waited = 0; made.length < 2 && waited < 30_000; waited += 200) {
        made = leftovers().filter((name) => ownerOf(name) === cli.pid || parentOf(ownerOf(name)) === cli.pid);
        if (made.length < 2) await sleep(200);
      }
      expect(made).toHaveLength(2);
      process.kill(-(cli.pid as number), 'SIGINT');
      expect(await exited).toBe(130);
      expect(leftovers().filter((name) => made.includes(name))).toEqual([]);
      expect(hostNftTables()).toBe(hostTables);
    } finally {
      dir.remove();
    }
  }, 60_000);
});

import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import type { ResultsFile } from '../harness/report/results-json';
import { startEchoTcp } from '../harness/servers/echo-tcp';
import { GOOD_TCP_SERVER, GOOD_UDP_SERVER } from '../fixtures/mutants/network';
import { describeFailure } from '../harness/verdict/describe';
import { runCase } from '../harness/run/run-case';
import { CaseNetwork } from '../harness/netns/case-network';
import { LinkConditions } from '../harness/netns/conditions';
import { NetworkNamespace } from '../harness/netns/namespace';
import { Transcript } from '../harness/net/transcript';
import { ROOT, sockspec, tempDir } from './support/cli';
import { describeWithNetns, hostNftTables, leftovers, runEachInNamespace } from './support/netns';
import { bundledSuite } from './support/run-suite';
import { describeWithPrograms } from './support/tools';

const BIN = path.join(ROOT, 'bin', 'sockspec.js');

/** The CLI as a child of our own, so its pid (the owner in the namespaces' names) is known. */
function runCli(
  args: string[],
  whileRunning?: (pid: number) => Promise<void>,
  options: { wrap?: string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<{ code: number | null; pid: number; stdout: string }> {
  const [program, ...words] = [...(options.wrap ?? []), process.execPath, BIN, ...args];
  const child = spawn(program, words, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.resume();
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return (async () => {
    await whileRunning?.(child.pid as number);
    return { code: await exited, pid: child.pid as number, stdout };
  })();
}

function processesIn(namespace: string): number[] {
  return execFileSync('ip', ['netns', 'pids', namespace], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
}

/** A zombie (killed, not yet reaped) is not alive. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function until(condition: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describeWithNetns('network suites through the CLI', () => {
  test('both suites pass against the builtin servers; only netem cases may be skipped; nothing is left behind', async () => {
    const reports = tempDir();
    const nftBefore = hostNftTables();
    try {
      const run = await runCli(['run', '--suite', 'network', '--suite', 'network-udp', '--reports', reports.path]);
      expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 0, stdout: expect.any(String) });
      const results = JSON.parse(readFileSync(path.join(reports.path, 'results.json'), 'utf8')) as ResultsFile;
      const skipped = results.cases.filter((c) => c.verdict === 'skip');
      expect(skipped.map((c) => c.case)).toEqual(skipped.length ? ['delay-reorder'] : []);
      for (const c of skipped) expect(c.reason).toMatch(/^needs the tc netem qdisc: /);
      // The measurements the cases promise are in the notes.
      expect(run.stdout).toMatch(/late: connected on attempt \d+ after \d+ ms \(failed attempts 1: timed out after/);
      expect(run.stdout).toMatch(/downstream rate \d+ KiB\/s \(cap 512 KiB\/s after a 32 KiB burst\)/);
      expect(run.stdout).toMatch(/\d+ of 500 datagrams echoed/);
      expect(leftovers(run.pid)).toEqual([]);
      expect(hostNftTables()).toEqual(nftBefore);
    } finally {
      reports.remove();
    }
  }, 60_000);

  test('Ctrl-C during a run removes the namespace, its link and the server inside', async () => {
    const reports = tempDir();
    let made: string[] = [];
    let servers: number[] = [];
    try {
      const run = await runCli(['run', '--suite', 'network', '--reports', reports.path], async (pid) => {
        await until(() => leftovers(pid).length === 2, 20_000);
        made = leftovers(pid);
        await until(() => (servers = processesIn(made[0])).length > 0, 20_000);
        process.kill(pid, 'SIGINT');
      });
      expect(run.code).toBe(130);
      expect(made).toEqual([expect.stringMatching(/^sockspec-\d+-\d+$/), expect.stringMatching(/^ss\d+-\d+h$/)]);
      expect(leftovers(run.pid)).toEqual([]);
      // SIGKILLed as the CLI exits: gone once the kernel has reaped them.
      await until(() => servers.filter(alive).length === 0, 5000);
    } finally {
      reports.remove();
    }
  }, 60_000);

  test('without root, every network case is skipped with the reason, none failed or passed', async () => {
    const home = tempDir();
    try {
      chmodSync(home.path, 0o777);
      const run = await runCli(['run', '--suite', 'network', '--suite', 'network-udp', '--reports', path.join(home.path, 'reports')], undefined, {
        wrap: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'],
        env: { HOME: home.path },
      });
      expect(run.code).toBe(0);
      expect(run.stdout).not.toMatch(/^[✓✗]/m);
      expect(run.stdout.match(/\[skipped: needs network namespaces with veth pairs \(ip\): needs root \(running as uid 65534\)\]/g)).toHaveLength(6);
    } finally {
      home.remove();
    }
  }, 60_000);

  test('without nft and tc, the cases needing them are skipped with which program is missing', async () => {
    const bin = tempDir();
    try {
      for (const program of ['ip', 'unshare']) symlinkSync(execFileSync('sh', ['-c', `command -v ${program}`], { encoding: 'utf8' }).trim(), path.join(bin.path, program));
      const run = await runCli(['run', '--suite', 'network', '--reports', path.join(bin.path, 'reports')], undefined, { env: { PATH: bin.path } });
      expect(run.code).toBe(0);
      expect(run.stdout).toContain('network/loss-10-percent: needs nftables with the netdev egress hook (nft, Linux 5.16): nft is not installed');
      expect(run.stdout).toContain('network/rate-cap: needs the tc tbf qdisc: tc is not installed');
    } finally {
      bin.remove();
    }
  }, 60_000);

  test('against an address, network cases are skipped with the reason', async () => {
    const server = await startEchoTcp();
    const reports = tempDir();
    try {
      const run = await sockspec(['run', '--suite', 'network', '--target', `tcp://127.0.0.1:${server.port}`, '--reports', reports.path]);
      expect(run.stdout).toContain('[skipped: needs a target sockspec starts itself inside a network namespace (builtin or --cmd)]');
      expect(run.stdout).not.toMatch(/^✓/m);
    } finally {
      reports.remove();
      await server.close();
    }
  }, 30_000);
});

describeWithNetns('network suites against other servers', () => {
  describeWithPrograms(['python3'], 'a correct Python echo server in the namespace', () => {
    test.each([
      ['network', GOOD_TCP_SERVER],
      ['network-udp', GOOD_UDP_SERVER],
    ])('passes the %s suite', async (name, command) => {
      const failures = (await runEachInNamespace(bundledSuite(name), { command: { command } })).filter((o) => o.verdict === 'fail');
      expect(failures.map(describeFailure)).toEqual([]);
    }, 60_000);
  });

  test('the rate check fails when the link was faster than the cap (the cap swapped behind its back)', async () => {
    const ns = await NetworkNamespace.create();
    try {
      const network = new CaseNetwork(new LinkConditions(ns), new Transcript(), []);
      await network.set({ rate: 64 * 1024, direction: 'downstream' }, 'rate 64KiB/s');
      await ns.inside('tc', ['qdisc', 'replace', 'dev', ns.innerDevice, 'root', 'tbf', 'rate', '100mbit', 'burst', '64k', 'latency', '100ms']);
      // 1 MiB of datagrams out of the namespace: counted by the qdisc whether or not anyone listens.
      const blast = `const s = require('dgram').createSocket('udp4'); let n = 0;
        const next = () => (n++ < 1024 ? s.send(Buffer.alloc(1024), 9, '${ns.subnet.host}', next) : s.close()); next();`;
      await ns.inside(process.execPath, ['-e', blast]);
      await expect(network.set({}, 'clear')).rejects.toThrow(/the downstream link carried more than its cap .*: the rate condition was not in force/);
    } finally {
      await ns.remove();
    }
  }, 30_000);

  test('a network step without a namespace is a usage error, not a pass', async () => {
    const suite = bundledSuite('network');
    const c = suite.cases.find((x) => x.id === 'firewall-reject');
    const server = await startEchoTcp();
    try {
      const outcome = await runCase(suite, c!, { 'echo-tcp': { host: server.host, port: server.port, transport: 'tcp' } });
      expect(outcome.failure?.summary).toMatch(/^network conditions need the server in a network namespace/);
    } finally {
      await server.close();
    }
  });
});

import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { ResultsFile } from '../harness/report/results-json';
import { startEchoTcp } from '../harness/servers/echo-tcp';
import { GOOD_TCP_SERVER, GOOD_UDP_SERVER } from '../fixtures/mutants/network';
import { describeFailure } from '../harness/report/describe';
import { runCase } from '../harness/run/run-case';
import { CaseNetwork } from '../harness/netns/case-network';
import { LinkConditions, measuredRate } from '../harness/netns/conditions';
import { NetworkNamespace, removeThisRunsNamespaces } from '../harness/netns/namespace';
import { NamespaceTarget } from '../harness/netns/netns-target';
import { REFERENCE_IDLE_TIMEOUT_MS } from '../harness/servers/catalog';
import { CommandLauncher } from '../harness/targets/command';
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
): Promise<{ code: number | null; pid: number; stdout: string; stderr: string }> {
  const [program, ...words] = [...(options.wrap ?? []), process.execPath, BIN, ...args];
  const child = spawn(program, words, { cwd: ROOT, env: { ...process.env, NO_COLOR: '1', ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return (async () => {
    await whileRunning?.(child.pid as number);
    return { code: await exited, pid: child.pid as number, stdout, stderr };
  })();
}

function processesIn(namespace: string): number[] {
  return execFileSync('ip', ['netns', 'pids', namespace], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
}

/** The processes in a namespace, or none when it has been removed meanwhile. */
function processesInIfThere(namespace: string): number[] {
  try {
    return processesIn(namespace);
  } catch {
    return [];
  }
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
      expect(run.stdout).toMatch(/downstream rate \d+ KiB\/s \(cap 1024 KiB\/s after a 51 KiB burst\)/);
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
      // The network suite's cases run side by side, each with a namespace and a link of its own.
      const run = await runCli(['run', '--suite', 'network', '--reports', reports.path], async (pid) => {
        // A namespace with its server running: a quick case's namespace may be gone by the time it is looked into.
        await until(() => {
          made = leftovers(pid);
          servers = made.filter((name) => name.startsWith('sockspec-')).flatMap(processesInIfThere);
          return servers.length > 0;
        }, 20_000);
        process.kill(pid, 'SIGINT');
      });
      expect(run.code).toBe(130);
      // Seen while some were still being set up: namespaces, and the host ends of their links.
      expect(made[0]).toMatch(/^sockspec-\d+-\d+$/);
      for (const name of made) expect(name).toMatch(/^(sockspec-\d+-\d+|ss\d+-\d+h)$/);
      expect(leftovers(run.pid)).toEqual([]);
      // SIGKILLed as the CLI exits: gone once the kernel has reaped them.
      await until(() => servers.filter(alive).length === 0, 5000);
    } finally {
      reports.remove();
    }
  }, 60_000);

  test('network cases side by side each get a link of their own: one talks through its link while the other holds its own shut', async () => {
    const reports = tempDir();
    try {
      const run = await runCli(['run', '--suite', path.join(ROOT, 'fixtures', 'suites', 'side-by-side', 'own-links.suite.yaml'), '--reports', reports.path]);
      expect(run.code).toBe(0);
      // `open` connects 0.7 s in, while `shut` rejects every connect on its link from 0.2 s to 2.2 s: on one
      // link it would be refused (checked against a runtime that ran both on the suite file's namespace).
      expect([...run.stdout.matchAll(/^✓ (\S+)/gm)].map((m) => m[1])).toEqual(['own-links/open', 'own-links/shut']);
      expect(leftovers(run.pid)).toEqual([]);
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
      expect(run.stdout.match(/\[skipped: needs network namespaces with veth pairs \(ip\): needs root \(running as uid 65534\)\]/g)).toHaveLength(7);
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
      expect(run.stdout).toMatch(/^- network\/loss-10-percent .*\[skipped: needs nftables with the netdev egress hook \(nft, Linux 5\.16\): nft is not installed\b/m);
      expect(run.stdout).toMatch(/^- network\/rate-cap .*\[skipped: needs the tc tbf qdisc: tc is not installed\b/m);
    } finally {
      bin.remove();
    }
  }, 60_000);

  test('a --cmd that listens on 127.0.0.1 only: each network case fails with the reason and the output, and the run exits 2 saying so', async () => {
    const dir = tempDir();
    try {
      const server = path.join(dir.path, 'loopback-echo.js');
      writeFileSync(server, "require('net').createServer((s) => s.pipe(s)).listen(Number(process.argv[2]), '127.0.0.1', () => console.log('listening on 127.0.0.1 only'));\n");
      const reports = path.join(dir.path, 'reports');
      const run = await runCli(['run', '--suite', 'network', '--cmd', `${process.execPath} ${server} {port}`, '--start-timeout', '1000', '--reports', reports]);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(
        /^error: the target could not start: the command did not listen on 10\.213\.\d+\.\d+:7 within 1\.0 s inside network namespace sockspec-\d+-1 \(listen on 0\.0\.0\.0 or 10\.213\.\d+\.\d+\)\n  command: .*\n  its last output:\n    \| listening on 127\.0\.0\.1 only\n$/,
      );
      const results = JSON.parse(readFileSync(path.join(reports, 'results.json'), 'utf8')) as ResultsFile;
      const ran = results.cases.filter((c) => c.verdict !== 'skip');
      expect(ran.map((c) => c.case)).toEqual(['loss-10-percent', 'blackhole-then-back', 'downstream-outage', 'firewall-reject', 'rate-cap']);
      for (const c of ran) {
        expect(c.verdict).toBe('fail');
        expect(c.message).toMatch(/the server did not start: the command did not listen on .*\n[^]*\| listening on 127\.0\.0\.1 only/);
      }
      expect(leftovers(run.pid)).toEqual([]);
    } finally {
      dir.remove();
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

  test('a network step without a namespace is a usage error, not a pass', async () => {
    const suite = bundledSuite('network');
    const c = suite.cases.find((x) => x.id === 'firewall-reject');
    const server = await startEchoTcp();
    try {
      const outcome = await runCase(suite, c!, { 'echo-tcp': { host: server.host, port: server.port, transport: 'tcp' } });
      expect(outcome.suiteError?.message).toMatch(/^network conditions need the server in a network namespace/);
    } finally {
      await server.close();
    }
  });
});

/** 1 MiB of datagrams across the link, one way: counted by the qdiscs and nft whether or not anyone listens. */
async function blast(ns: NetworkNamespace, direction: 'upstream' | 'downstream'): Promise<void> {
  const to = direction === 'upstream' ? ns.address : ns.subnet.host;
  const script = `const s = require('dgram').createSocket('udp4'); let n = 0;
    const next = () => (n++ < 1024 ? s.send(Buffer.alloc(1024), 9, '${to}', next) : s.close()); next();`;
  await (direction === 'upstream' ? ns.outside(process.execPath, ['-e', script]) : ns.inside(process.execPath, ['-e', script]));
}

describeWithNetns('network conditions not in force, and conditions that outlive their step', () => {
  let ns: NetworkNamespace;
  let link: LinkConditions;
  beforeAll(async () => {
    ns = await NetworkNamespace.create();
    link = new LinkConditions(ns);
  });
  afterAll(() => ns.remove());
  afterEach(() => link.clear());

  const caseNetwork = (notes: string[] = []) => new CaseNetwork(link, new Transcript(), notes);
  /** Behind the case's back: an accept rule in a chain of sockspec's table, at index (0: before all). */
  const acceptFirst = (chain: 'ingress' | 'egress', index = 0) =>
    ns.inside('nft', ['insert', 'rule', 'netdev', 'sockspec', chain, 'index', String(index), 'meta', 'protocol', 'ip', 'accept']);

  test.each(['downstream', 'upstream'] as const)('with a cap both ways, the %s link faster than the cap (swapped behind its back) fails the rate check', async (direction) => {
    const network = caseNetwork();
    await network.set({ rate: 64 * 1024 }, 'rate 64KiB/s');
    const device = direction === 'upstream' ? ns.hostDevice : ns.innerDevice;
    const fast = ['qdisc', 'replace', 'dev', device, 'root', 'tbf', 'rate', '100mbit', 'burst', '64k', 'latency', '100ms'];
    await (direction === 'upstream' ? ns.outside('tc', fast) : ns.inside('tc', fast));
    await blast(ns, direction);
    await expect(network.set({}, 'clear')).rejects.toThrow(new RegExp(`^the ${direction} link carried more than its cap .*: the rate condition was not in force$`));
  }, 30_000);

  test('a drop firewall that dropped nothing (an accept rule ahead of it) fails as not in force', async () => {
    const network = caseNetwork();
    await network.set({ firewall: 'drop' }, 'firewall drop');
    await acceptFirst('ingress');
    await acceptFirst('egress');
    await blast(ns, 'upstream');
    await expect(network.set({}, 'clear')).rejects.toThrow(/^the drop firewall dropped no packet \(0 of 0 IP packets dropped upstream, 0 of 0 IP packets dropped downstream\): the firewall condition was not in force$/);
  }, 30_000);

  test('a loss rule that dropped none of 1024 packets fails as not in force, when lifted by its timer and reported at the end', async () => {
    const network = caseNetwork();
    // Long enough for the sabotage and the blast to happen before the timer lifts the loss.
    await network.set({ loss: 0.1, direction: 'upstream' }, 'loss 10% upstream', 1500);
    await acceptFirst('ingress', 1);
    await blast(ns, 'upstream');
    await until(() => !link.active, 5000);
    await expect(network.end()).rejects.toThrow(/^the loss rule dropped none of 0 of 10\d\d IP packets dropped upstream, a chance below 1 in a million: the loss condition was not in force$/);
  }, 30_000);

  test('loss that was in force passes, and its drops are noted', async () => {
    const notes: string[] = [];
    const network = caseNetwork(notes);
    await network.set({ loss: 0.5, direction: 'upstream' }, 'loss 50% upstream');
    await blast(ns, 'upstream');
    await network.end();
    expect(notes).toEqual([expect.stringMatching(/^upstream loss: [1-9]\d* of 10\d\d IP packets dropped upstream$/)]);
  }, 30_000);

  test('a set() still applying when the case ends is waited for and cleared, its timer cancelled', async () => {
    const network = caseNetwork();
    const setting = network.set({ loss: 0.1 }, 'loss 10%', 60_000);
    await network.end();
    await setting;
    expect(link.active).toBe(false);
    expect(await ns.inside('nft', ['list', 'tables'])).toBe('');
  }, 30_000);

  test('conditions applied in part (nft, then tc failed) fail the step with the tool\'s error and are cleared at the end', async () => {
    const network = caseNetwork();
    await expect(network.set({ loss: 0.1, rate: 0 }, 'loss 10%, rate 0')).rejects.toThrow(/^could not set the network conditions \(loss 10%, rate 0\): tc qdisc replace .*: /);
    expect(link.active).toBe(true);
    await network.end();
    expect(await ns.inside('nft', ['list', 'tables'])).toBe('');
    expect(await ns.inside('tc', ['qdisc', 'show', 'dev', ns.innerDevice])).not.toMatch(/tbf/);
  }, 30_000);

  test('the rate is measured from when the read before the traffic began, so a slow read does not overstate it', () => {
    const samples = [
      { startedAt: 0, at: 400, bytes: 100 },
      { startedAt: 450, at: 460, bytes: 30_100 },
      { startedAt: 1000, at: 1010, bytes: 60_100 },
      { startedAt: 1050, at: 1060, bytes: 60_100 },
    ];
    expect(measuredRate('downstream', 65_536, samples)).toEqual({ device: 'downstream', cap: 65_536, bytes: 60_000, ms: 1010 });
  });
});

describeWithNetns('the namespaced server and its namespace', () => {
  test('the reference echo in the namespace keeps an idle connection open past the 2 s it closes at elsewhere', async () => {
    const target = new NamespaceTarget({ builtin: true });
    try {
      const { host, port } = (await target.start(['echo-tcp']))['echo-tcp']!;
      const socket = net.connect(port, host);
      await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      const closed = new Promise<string>((resolve) => socket.once('close', () => resolve('closed')));
      const idle = new Promise<string>((resolve) => setTimeout(() => resolve('still open'), REFERENCE_IDLE_TIMEOUT_MS + 300));
      expect(await Promise.race([closed, idle])).toBe('still open');
      socket.write('after the idle time');
      await new Promise((resolve) => socket.once('data', resolve));
      socket.destroy();
    } finally {
      await target.stop();
    }
  }, 30_000);

  test('stop() during start() waits for it, then removes what it made: nothing appears afterwards', async () => {
    const target = new NamespaceTarget({ builtin: true });
    const started = target.start(['echo-tcp']);
    await target.stop();
    await started;
    expect(leftovers(process.pid)).toEqual([]);
  }, 30_000);

  test("removeThisRunsNamespaces removes a dead owner's namespace (a jest worker that has exited)", async () => {
    const worker = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => worker.once('exit', resolve));
    const pid = worker.pid as number;
    execFileSync('ip', ['netns', 'add', `sockspec-${pid}-1`]);
    try {
      removeThisRunsNamespaces();
      expect(leftovers(pid)).toEqual([]);
    } finally {
      if (leftovers(pid).length) execFileSync('ip', ['netns', 'del', `sockspec-${pid}-1`]);
    }
  });
});

test('a command launcher placed in a namespace does not share the host network (its ports are its own)', () => {
  const command = { command: 'server {port}' };
  expect(new CommandLauncher(command).sharesHostNetwork).toBe(true);
  expect(new CommandLauncher(command, { host: '10.213.0.2', wrap: (program, args) => ['ip', ['netns', 'exec', 'ns', program, ...args]] }).sharesHostNetwork).toBe(false);
});

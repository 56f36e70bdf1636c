import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { connect, createServer, type AddressInfo } from 'node:net';
import { ROOT, sockspec, startInterruptible, tempDir } from './support/cli';
import { expectValidJunit, VALIDATION_MS } from './support/junit-schema';
import { describeWithCapture } from './support/capture';
import { PYTHON } from '../fixtures/mutants/python';
import type { ResultsFile } from '../harness/report/results-json';

const DROPS_FIRST_BYTE = path.join(ROOT, 'fixtures', 'mutants', 'echo-tcp', 'drops_first_byte.py');
const RUN_MS = 90_000;

/** What tshark shows of a capture: one line per packet, or the fields asked for. */
function tshark(args: string[]): string {
  return execFileSync('tshark', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 });
}

function results(dir: string): ResultsFile {
  return JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as ResultsFile;
}

/** The capture folders tcpdump runs left in `tmp`: none once every case has ended. */
function rawCaptures(tmp: string): string[] {
  return readdirSync(tmp).filter((name) => name.startsWith('sockspec-capture-'));
}

/** The processes whose /proc/PID entry `matches` (one that ends while it is read does not). */
function processes(matches: (pid: string) => boolean): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return matches(pid);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** The tcpdump processes `parent` started (running, not yet reaped zombies). */
function childTcpdumps(parent: number): number[] {
  return processes((pid) => {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return stat.includes('(tcpdump)') && state !== 'Z' && Number(ppid) === parent;
  });
}

/**
 * The capturing tcpdump processes of runs whose temporary folder is `tmp` (they inherit TMPDIR).
 * Not the `tcpdump --version` probe a run makes before it handles Ctrl-C: a loaded machine showed
 * it long enough for the test to interrupt the run before its start, which a signal then ended.
 */
function tcpdumpsIn(tmp: string): number[] {
  return processes((pid) => {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.startsWith('tcpdump\0') && cmdline.split('\0').includes('-w') && readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`TMPDIR=${tmp}`);
  });
}

describeWithCapture('--capture', () => {
  test('a failed case keeps its capture (tshark reads it, the why names the lost byte), a passed one nothing; the reports link it', async () => {
    const reports = tempDir();
    const tmp = tempDir();
    try {
      const run = await sockspec(['run', '--suite', 'echo-tcp', '--filter', 'round-trip|size-0', '--cmd', `${PYTHON} ${DROPS_FIRST_BYTE} {port}`, '--capture', '--reports', reports.path], { timeoutMs: RUN_MS, env: { TMPDIR: tmp.path } });
      expect(run.code).toBe(1);
      const pcap = path.join(reports.path, 'captures', 'echo-tcp', 'round-trip.pcap');
      expect(readdirSync(path.join(reports.path, 'captures', 'echo-tcp'))).toEqual(['round-trip.pcap']);
      // The case's own connection, handshake to close, and nothing of the machine's other traffic.
      const ports = tshark(['-r', pcap, '-T', 'fields', '-e', 'tcp.dstport']).trim().split('\n');
      expect(ports.length).toBeGreaterThanOrEqual(8);
      // Ours, then the echo short of its first byte.
      expect(tshark(['-r', pcap, '-Y', 'tcp.len > 0', '-T', 'fields', '-e', 'tcp.len']).trim().split('\n')).toEqual(['12', '11']);

      const entry = results(reports.path).cases.find((c) => c.id === 'echo-tcp/round-trip');
      expect(entry?.capture).toEqual({ pcap: 'captures/echo-tcp/round-trip.pcap' });
      expect(entry?.message).toContain("why, from the packet capture:\n  on main, the server's kernel acknowledged byte 0 and its first data segment started at byte 1");
      // The packet lane of the report: the connection's packets, ours and the server's.
      expect(entry?.packets?.filter((p) => p.len > 0).map((p) => [p.from, p.flags, p.seq, p.len])).toEqual([['client', 'P', 1, 12], ['server', 'P', 1, 11]]);
      expect(entry?.packets?.[0]).toMatchObject({ conn: 'main', from: 'client', flags: 'S' });
      expect(results(reports.path).cases.find((c) => c.id === 'echo-tcp/size-0')?.capture).toBeUndefined();
      expect(results(reports.path).capture).toEqual({ mode: 'failed' });

      const junit = readFileSync(path.join(reports.path, 'junit.xml'), 'utf8');
      expect(junit).toContain(`[[ATTACHMENT|${path.relative(ROOT, pcap)}]]`);
      await expectValidJunit(junit);
      expect(readFileSync(path.join(reports.path, 'index.html'), 'utf8')).toContain('"pcap":"captures/echo-tcp/round-trip.pcap"');
      expect(rawCaptures(tmp.path)).toEqual([]);
    } finally {
      reports.remove();
      tmp.remove();
    }
  }, RUN_MS + VALIDATION_MS);

  test('a TLS case kept with --capture all opens decrypted in tshark with its key log', async () => {
    const reports = tempDir();
    try {
      const run = await sockspec(['run', '--suite', 'tls', '--filter', 'handshake-verified', '--capture', 'all', '--reports', reports.path], { timeoutMs: RUN_MS });
      expect(run.code).toBe(0);
      const base = path.join(reports.path, 'captures', 'tls', 'handshake-verified');
      expect(readFileSync(`${base}.keys`, 'utf8')).toMatch(/^(CLIENT_HANDSHAKE_TRAFFIC_SECRET|SERVER_HANDSHAKE_TRAFFIC_SECRET|CLIENT_TRAFFIC_SECRET_0|SERVER_TRAFFIC_SECRET_0|EXPORTER_SECRET|CLIENT_RANDOM) [0-9a-f]+ [0-9a-f]+$/m);
      const tls = ['-r', `${base}.pcap`, '-o', `tls.keylog_file:${base}.keys`, '-d', `tcp.port==${serverPort(`${base}.pcap`)},tls`];
      // Decrypted, the application data records hold the case's text, both ways (sent, then echoed).
      const plaintext = tshark([...tls, '-Y', 'tls.app_data', '-T', 'fields', '-e', 'data.data']);
      const texts = plaintext.trim().split('\n').map((hex) => Buffer.from(hex.replace(/[:,]/g, ''), 'hex').toString());
      expect(texts.filter((t) => t === 'over TLS\n')).toHaveLength(2);
      // Without the key log, no plaintext.
      expect(tshark(['-r', `${base}.pcap`, '-d', `tcp.port==${serverPort(`${base}.pcap`)},tls`, '-Y', 'tls.app_data', '-T', 'fields', '-e', 'data.data']).trim()).toBe('');
      expect(results(reports.path).cases[0].capture).toEqual({ pcap: 'captures/tls/handshake-verified.pcap', keys: 'captures/tls/handshake-verified.keys' });
    } finally {
      reports.remove();
    }
  }, RUN_MS);

  test("tcpdump runs on between cases, and ends once no case has captured for two seconds", async () => {
    const { PacketCapture } = await import('../harness/capture/packet-capture');
    const ours = () => childTcpdumps(process.pid);
    const first = await PacketCapture.start();
    await first.stop();
    const [running] = ours();
    expect(running).toBeDefined();
    // The next case, soon after, finds the same tcpdump.
    const second = await PacketCapture.start();
    expect(ours()).toEqual([running]);
    await second.stop();
    const deadline = Date.now() + 5000;
    while (ours().length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(ours()).toEqual([]);
  }, 30_000);

  test("a case's packets stay in memory until something reads them: no file for a case that keeps nothing, one past 16 MiB", async () => {
    const { PacketCapture } = await import('../harness/capture/packet-capture');
    const tmp = tempDir();
    try {
      const small = await PacketCapture.start({ tempDir: tmp.path });
      await sendOverLoopback(64 * 1024);
      expect(rawCaptures(tmp.path)).toEqual([]);
      // A wire check reads the packets so far: they go to a file, which the end of the case removes.
      const raw = await small.rawFile();
      expect(rawCaptures(tmp.path)).toHaveLength(1);
      expect(tshark(['-r', raw]).length).toBeGreaterThan(0);
      await small.stop();
      expect(rawCaptures(tmp.path)).toEqual([]);

      // Past 16 MiB the packets go to a file, read or not: the harness does not hold a big case's stream.
      const big = await PacketCapture.start({ tempDir: tmp.path });
      await sendOverLoopback(24 * 1024 * 1024);
      const deadline = Date.now() + 10_000;
      while (rawCaptures(tmp.path).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(rawCaptures(tmp.path)).toHaveLength(1);
      await big.stop();
      expect(rawCaptures(tmp.path)).toEqual([]);
    } finally {
      tmp.remove();
    }
  }, 30_000);

  test('Ctrl-C leaves no tcpdump running and no raw capture behind', async () => {
    const tmp = tempDir();
    const reports = tempDir();
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = tmp.path;
    try {
      // close-after-pause sleeps 1.5 s with its capture running; five runs of it outlast the wait below.
      const run = startInterruptible(['run', '--suite', 'echo-tcp', '--filter', 'close-after-pause', '--repeat', '5', '--capture', 'all', '--workers', '1', '--reports', reports.path]);
      const deadline = Date.now() + 30_000;
      while (tcpdumpsIn(tmp.path).length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(tcpdumpsIn(tmp.path).length).toBeGreaterThan(0);
      run.interrupt();
      expect(await run.exited).toBe(130);
      expect(tcpdumpsIn(tmp.path)).toEqual([]);
      expect(rawCaptures(tmp.path)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      tmp.remove();
      reports.remove();
    }
  }, RUN_MS);
});

describe('without tcpdump', () => {
  /** A PATH with python3 and nothing else: no tcpdump, no tshark. */
  function pathWithoutTcpdump(dir: string): string {
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    symlinkSync(execFileSync('sh', ['-c', 'command -v python3'], { encoding: 'utf8' }).trim(), path.join(bin, 'python3'));
    return bin;
  }

  test('--capture: the cases run as without it, the run says once why nothing is captured, and a wire check is skipped with the reason', async () => {
    const dir = tempDir();
    try {
      const run = await sockspec(['run', '--suite', 'echo-tcp', '--filter', 'round-trip|close-after-pause', '--capture', '--reports', dir.path], { timeoutMs: RUN_MS, env: { PATH: pathWithoutTcpdump(dir.path) } });
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      const why = process.getuid?.() === 0 ? 'needs tcpdump to capture packets (apt-get install tcpdump)' : `needs root to capture packets with tcpdump (running as uid ${process.getuid?.()})`;
      // Said when the run starts and again at its end: one line each, never per case.
      expect(run.stdout.split('\n').filter((line) => line.startsWith('no packet captures'))).toEqual([`no packet captures: ${why}`, `no packet captures: ${why}`]);
      const file = results(dir.path);
      expect(file.capture).toEqual({ unavailable: `no packet captures: ${why}` });
      expect(file.cases.find((c) => c.id === 'echo-tcp/round-trip')?.verdict).toBe('pass');
      expect(file.cases.find((c) => c.id === 'echo-tcp/close-after-pause')).toMatchObject({ verdict: 'skip', reason: why });
      expect(existsSync(path.join(dir.path, 'captures'))).toBe(false);
    } finally {
      dir.remove();
    }
  }, RUN_MS);
});

/** The server's port of the capture's connection: the destination of its first SYN. */
function serverPort(pcap: string): string {
  return tshark(['-r', pcap, '-Y', 'tcp.flags.syn == 1 && tcp.flags.ack == 0', '-T', 'fields', '-e', 'tcp.dstport']).trim().split('\n')[0];
}

/** Sends `bytes` over a loopback TCP connection to a server that reads them all. */
async function sendOverLoopback(bytes: number): Promise<void> {
  const server = createServer((socket) => socket.resume().on('end', () => socket.end()));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const client = connect(port, '127.0.0.1');
    client.end(Buffer.alloc(bytes, 7));
    await new Promise((resolve, reject) => client.resume().on('close', resolve).on('error', reject));
  } finally {
    server.close();
  }
}

import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { cachedCertificateSet } from '../harness/certs/cache';
import { FaultTarget } from '../harness/faults/fault-target';
import { startFaultProxy, type FaultProxy } from '../harness/faults/proxy';
import { seededRandom, symmetricOffset } from '../harness/faults/random';
import type { Toxic } from '../harness/faults/toxic';
import { bandwidth, MAX_RATE_KBPS } from '../harness/faults/toxics/bandwidth';
import { latency } from '../harness/faults/toxics/latency';
import { limitData } from '../harness/faults/toxics/limit-data';
import { resetPeer } from '../harness/faults/toxics/reset-peer';
import { cuts, slicer } from '../harness/faults/toxics/slicer';
import { slowClose } from '../harness/faults/toxics/slow-close';
import { timeout } from '../harness/faults/toxics/timeout';
import { createToxic } from '../harness/faults/toxics/registry';
import { sleep, Waiter } from '../harness/net/waiter';
import { startEchoTcp } from '../harness/servers/echo-tcp';
import { REFERENCE_IDLE_TIMEOUT_MS } from '../harness/servers/catalog';
import { listenTcp } from '../harness/servers/listen';
import type { RunningServer } from '../harness/servers/running-server';
import { BuiltinTarget } from '../harness/targets/builtin';

/**
 * The fault proxy, measured: every toxic's effect is timed or counted at the receiving end, through
 * the reference echo or a recording server. Each wait has a deadline so a broken toxic fails fast.
 */

const MiB = 1024 * 1024;

/** One end of a TCP connection, recording what it receives (each read's size too) and how it ended. */
class Peer {
  readonly waiter = new Waiter();
  readonly sizes: number[] = [];
  bytes = 0;
  finAt: number | undefined;
  error: string | undefined;
  closed = false;
  private readonly chunks: Buffer[] = [];

  constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.sizes.push(chunk.length);
      this.bytes += chunk.length;
      this.waiter.notify();
    });
    socket.on('end', () => this.note(() => (this.finAt = performance.now())));
    socket.on('error', (err: NodeJS.ErrnoException) => this.note(() => (this.error = err.code)));
    socket.on('close', () => this.note(() => (this.closed = true)));
  }

  get data(): Buffer {
    return Buffer.concat(this.chunks);
  }

  async until(condition: () => boolean, what: string, ms = 3000): Promise<void> {
    if ((await this.waiter.until(condition, Date.now() + ms)) !== 'ready') throw new Error(`timed out after ${ms} ms waiting for ${what}`);
  }

  private note(change: () => void): void {
    change();
    this.waiter.notify();
  }
}

const peers: Peer[] = [];
const cleanups: Array<() => Promise<unknown> | void> = [];

function track(peer: Peer): Peer {
  peers.push(peer);
  return peer;
}

async function connectPeer(port: number): Promise<Peer> {
  const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true, noDelay: true });
  const peer = track(new Peer(socket));
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return peer;
}

async function proxyWith(toxics: Toxic[], options: { seed?: string; upstream?: { host: string; port: number } } = {}): Promise<FaultProxy> {
  const proxy = await startFaultProxy(options.upstream ?? echo, { seed: options.seed });
  cleanups.push(() => proxy.close());
  for (const toxic of toxics) proxy.addToxic(toxic);
  return proxy;
}

/** A server keeping a Peer per connection, so a test can see what reached the server's side. */
async function startRecorder(onPeer: (peer: Peer) => void = () => undefined): Promise<RunningServer & { peers: Peer[] }> {
  const recorded: Peer[] = [];
  const server = net.createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    const peer = track(new Peer(socket));
    recorded.push(peer);
    onPeer(peer);
  });
  const running = await listenTcp(server);
  cleanups.push(() => running.close());
  return Object.assign(running, { peers: recorded });
}

const echoing = (peer: Peer) => peer.socket.on('data', (chunk: Buffer) => peer.socket.write(chunk));

async function firstPeer(recorder: { peers: Peer[] }): Promise<Peer> {
  for (let i = 0; i < 100 && recorder.peers.length === 0; i++) await sleep(10);
  if (recorder.peers.length === 0) throw new Error('no connection reached the recording server');
  return recorder.peers[0];
}

/** Sends `bytes` and waits for as many to come back: the round-trip time in ms. */
async function roundTrip(peer: Peer, bytes = 16): Promise<number> {
  const target = peer.bytes + bytes;
  const started = performance.now();
  peer.socket.write(Buffer.alloc(bytes, 'p'));
  await peer.until(() => peer.bytes >= target, `${bytes} bytes echoed`);
  return performance.now() - started;
}

/** Writes all of `data` with backpressure, then FIN. */
async function writeAll(socket: net.Socket, data: Buffer, piece = 64 * 1024): Promise<void> {
  for (let offset = 0; offset < data.length; offset += piece) {
    if (!socket.write(data.subarray(offset, offset + piece))) await new Promise((resolve) => socket.once('drain', resolve));
  }
  socket.end();
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

let echo: RunningServer;

beforeAll(async () => {
  echo = await startEchoTcp();
});

afterAll(() => echo.close());

afterEach(async () => {
  for (const peer of peers.splice(0)) peer.socket.destroy();
  await Promise.all(cleanups.splice(0).map((cleanup) => cleanup()));
});

describe('toxics, measured at the receiving end', () => {
  // A delay is never shorter than asked, so lower bounds hold for every sample; upper bounds are
  // checked on the median, since a loaded machine (jest runs files in parallel) stalls now and then.
  test('latency adds its delay to every round trip (50 ms, median within +20 ms)', async () => {
    const proxy = await proxyWith([latency.create({ latency: 50 })]);
    const client = await connectPeer(proxy.port);
    const rtts: number[] = [];
    for (let i = 0; i < 7; i++) rtts.push(await roundTrip(client));
    expect(Math.min(...rtts)).toBeGreaterThanOrEqual(49);
    expect(median(rtts)).toBeLessThanOrEqual(70);
  });

  test('jitter varies each delay within latency ± jitter, as the seed draws it', async () => {
    const proxy = await proxyWith([latency.create({ latency: 40, jitter: 20, direction: 'upstream' })], { seed: 'jitter' });
    const client = await connectPeer(proxy.port);
    const draws = seededRandom('jitter', 0, 'latency_upstream');
    const rtts: number[] = [];
    const excess: number[] = [];
    for (let i = 0; i < 15; i++) {
      const expected = 40 + symmetricOffset(20, draws);
      expect(expected).toBeGreaterThanOrEqual(20);
      expect(expected).toBeLessThan(60);
      const rtt = await roundTrip(client);
      rtts.push(rtt);
      excess.push(rtt - expected);
    }
    expect(Math.min(...excess)).toBeGreaterThanOrEqual(-1);
    expect(median(excess)).toBeLessThanOrEqual(10);
    expect(Math.max(...rtts) - Math.min(...rtts)).toBeGreaterThanOrEqual(10);
  });

  test('bandwidth holds the rate (200 KB/s: 100 kB in 500 ms ± 25%)', async () => {
    const proxy = await proxyWith([bandwidth.create({ rate: 200, direction: 'upstream' })]);
    const client = await connectPeer(proxy.port);
    const ms = await roundTrip(client, 100_000);
    expect(ms).toBeGreaterThanOrEqual(375);
    expect(ms).toBeLessThanOrEqual(625);
  });

  test('slicer splits a write into the segments it draws, read one by one by a no-delay server', async () => {
    const recorder = await startRecorder();
    const proxy = await proxyWith([slicer.create({ average_size: 64, size_variation: 16, delay: 5000, direction: 'upstream' })], { seed: 'slices', upstream: recorder });
    const client = await connectPeer(proxy.port);
    const sent = randomBytes(2048);
    client.socket.write(sent);
    const server = await firstPeer(recorder);
    await server.until(() => server.bytes === sent.length, 'every sliced byte');
    expect(server.data.equals(sent)).toBe(true);

    const expected = cuts(0, sent.length, 64, 16, seededRandom('slices', 0, 'slicer_upstream'));
    expect(Math.max(...expected.map((end, i) => end - (expected[i - 1] ?? 0)))).toBeLessThanOrEqual(80);
    // Every read ends on a drawn cut; reads may merge two segments only if the server fell behind.
    const observed = server.sizes.map((_, i) => server.sizes.slice(0, i + 1).reduce((a, b) => a + b, 0));
    expect(observed.every((end) => expected.includes(end))).toBe(true);
    expect(observed.length).toBeGreaterThanOrEqual(expected.length * 0.8);
    expect(expected.length).toBeGreaterThanOrEqual(2048 / 80);
  });

  test('limit_data passes exactly N bytes in its direction, then FIN', async () => {
    const proxy = await proxyWith([limitData.create({ bytes: 100 })]);
    const client = await connectPeer(proxy.port);
    client.socket.write(randomBytes(300));
    await client.until(() => client.finAt !== undefined, 'FIN');
    expect(client.bytes).toBe(100);
    expect(client.error).toBeUndefined();
  });

  test('limit_data upstream: the server gets exactly N bytes and FIN, and the client is closed too', async () => {
    const recorder = await startRecorder();
    const proxy = await proxyWith([limitData.create({ bytes: 10, direction: 'upstream' })], { upstream: recorder });
    const client = await connectPeer(proxy.port);
    client.socket.write(Buffer.alloc(50, 'x'));
    const server = await firstPeer(recorder);
    await server.until(() => server.finAt !== undefined, 'FIN at the server');
    expect(server.bytes).toBe(10);
    await client.until(() => client.finAt !== undefined, 'FIN at the client');
  });

  test('reset_peer resets both sides timeout ms after the first data', async () => {
    const recorder = await startRecorder(echoing);
    const proxy = await proxyWith([resetPeer.create({ timeout: 100 })], { upstream: recorder });
    const client = await connectPeer(proxy.port);
    const started = performance.now();
    client.socket.write('x');
    await client.until(() => client.error !== undefined, 'a reset');
    expect(client.error).toBe('ECONNRESET');
    expect(performance.now() - started).toBeGreaterThanOrEqual(99);
    expect(client.bytes).toBe(0);
    const server = await firstPeer(recorder);
    await server.until(() => server.error !== undefined, 'a reset at the server');
    expect(server.error).toBe('ECONNRESET');
  });

  test('reset_peer with timeout 0 resets on the first data', async () => {
    const proxy = await proxyWith([resetPeer.create({ timeout: 0, direction: 'upstream' })]);
    const client = await connectPeer(proxy.port);
    const started = performance.now();
    client.socket.write('x');
    await client.until(() => client.error !== undefined, 'a reset');
    expect(client.error).toBe('ECONNRESET');
    expect(performance.now() - started).toBeLessThan(50);
  });

  test('timeout blackholes data, then closes the connection after its timeout', async () => {
    const proxy = await proxyWith([timeout.create({ timeout: 400 })]);
    const started = performance.now();
    const client = await connectPeer(proxy.port);
    client.socket.write('ping');
    await sleep(300);
    expect(client.bytes).toBe(0);
    expect(client.finAt).toBeUndefined();
    await client.until(() => client.finAt !== undefined, 'the close');
    expect((client.finAt as number) - started).toBeGreaterThanOrEqual(399);
    expect((client.finAt as number) - started).toBeLessThan(700);
    expect(client.bytes).toBe(0);
  });

  test('timeout 0 never closes; removing it closes the connection (bytes were lost)', async () => {
    const proxy = await proxyWith([timeout.create({ timeout: 0 })]);
    const client = await connectPeer(proxy.port);
    client.socket.write('ping');
    await sleep(300);
    expect(client.bytes).toBe(0);
    expect(client.finAt).toBeUndefined();
    proxy.removeToxic('timeout_downstream');
    await client.until(() => client.finAt !== undefined, 'the close');
  });

  test('slow_close holds the FIN for its delay; data passes at once', async () => {
    const proxy = await proxyWith([slowClose.create({ delay: 200 })]);
    const client = await connectPeer(proxy.port);
    const started = performance.now();
    client.socket.end('bye');
    await client.until(() => client.bytes === 3, 'the echo');
    expect(performance.now() - started).toBeLessThan(100);
    await client.until(() => client.finAt !== undefined, 'FIN');
    expect((client.finAt as number) - started).toBeGreaterThanOrEqual(199);
    expect((client.finAt as number) - started).toBeLessThan(400);
  });
});

describe('toxicity and determinism', () => {
  /** Which of `count` connections (opened one after another) a 100 ms latency toxic delays. */
  async function delayedConnections(toxicity: number, seed: string, count: number): Promise<{ delayed: boolean[]; proxy: FaultProxy }> {
    const proxy = await proxyWith([latency.create({ latency: 100, toxicity })], { seed });
    const clients: Peer[] = [];
    for (let i = 0; i < count; i++) clients.push(await connectPeer(proxy.port));
    const rtts = await Promise.all(clients.map((client) => roundTrip(client)));
    return { delayed: rtts.map((rtt) => rtt >= 99), proxy };
  }

  test.each([
    [0, false],
    [1, true],
  ])('toxicity %d applies to %s of the connections', async (toxicity, applies) => {
    const { delayed, proxy } = await delayedConnections(toxicity, 'any', 8);
    expect(delayed).toEqual(new Array(8).fill(applies));
    const [stats] = proxy.stats().toxics;
    expect([stats.applied, stats.skipped]).toEqual(applies ? [8, 0] : [0, 8]);
  });

  test('the same seed makes the same per-connection decisions: rand(seed, connection) < toxicity', async () => {
    const expected = (seed: string) => Array.from({ length: 12 }, (_, i) => seededRandom(seed, i)() < 0.5);
    expect(expected('alpha')).toContain(true);
    expect(expected('alpha')).toContain(false);
    expect(expected('beta')).not.toEqual(expected('alpha'));
    const [first, second, other] = await Promise.all([delayedConnections(0.5, 'alpha', 12), delayedConnections(0.5, 'alpha', 12), delayedConnections(0.5, 'beta', 12)]);
    expect(first.delayed).toEqual(expected('alpha'));
    expect(second.delayed).toEqual(first.delayed);
    expect(other.delayed).toEqual(expected('beta'));
  });
});

describe('the proxy as a TCP relay', () => {
  test('1 MiB through slicer + latency both ways arrives intact (SHA-256)', async () => {
    const proxy = await proxyWith([
      slicer.create({ average_size: 1500, size_variation: 500, direction: 'upstream' }),
      latency.create({ latency: 10, jitter: 5, direction: 'upstream' }),
      slicer.create({ average_size: 700, size_variation: 300, delay: 100 }),
      latency.create({ latency: 5, jitter: 5 }),
    ]);
    const client = await connectPeer(proxy.port);
    const sent = randomBytes(MiB);
    await writeAll(client.socket, sent);
    await client.until(() => client.finAt !== undefined, 'the echo and FIN', 10_000);
    expect(client.bytes).toBe(MiB);
    expect(sha256(client.data)).toBe(sha256(sent));
    expect(proxy.stats().bytes).toEqual({ upstream: MiB, downstream: MiB });
  });

  test('half-close from the client: the echo of its data, then FIN, arrive through the proxy', async () => {
    const proxy = await proxyWith([]);
    const client = await connectPeer(proxy.port);
    client.socket.end('hello');
    await client.until(() => client.finAt !== undefined, 'FIN');
    expect(client.data.toString()).toBe('hello');
  });

  test('half-close from the server: the client still sends after the server FIN', async () => {
    const recorder = await startRecorder((peer) => peer.socket.end('greeting'));
    const proxy = await proxyWith([], { upstream: recorder });
    const client = await connectPeer(proxy.port);
    await client.until(() => client.finAt !== undefined, 'FIN from the server');
    expect(client.data.toString()).toBe('greeting');
    client.socket.end('late words');
    const server = await firstPeer(recorder);
    await server.until(() => server.finAt !== undefined, 'FIN at the server');
    expect(server.data.toString()).toBe('late words');
  });

  test('an RST from the client resets the server side, and one from the server the client', async () => {
    const recorder = await startRecorder((peer) => peer.socket.on('data', (chunk: Buffer) => chunk.toString() === 'rst' && peer.socket.resetAndDestroy()));
    const proxy = await proxyWith([], { upstream: recorder });
    const first = await connectPeer(proxy.port);
    const server = await firstPeer(recorder);
    first.socket.resetAndDestroy();
    await server.until(() => server.error !== undefined, 'the reset at the server');
    expect(server.error).toBe('ECONNRESET');

    const second = await connectPeer(proxy.port);
    second.socket.write('rst');
    await second.until(() => second.error !== undefined, 'the reset at the client');
    expect(second.error).toBe('ECONNRESET');
  });

  test("a blackholed connection passes nothing either way; the server's FIN is recorded, not passed on", async () => {
    const recorder = await startRecorder();
    const proxy = await proxyWith([], { upstream: recorder });
    const client = await connectPeer(proxy.port);
    client.socket.write('before');
    const server = await firstPeer(recorder);
    await server.until(() => server.bytes === 6, 'the bytes before the blackhole');
    const proxied = proxy.connectionFrom(client.socket.localPort as number);
    expect(proxied?.serverClose).toBeUndefined();

    proxied?.blackhole();
    client.socket.write('lost upstream');
    server.socket.write('lost downstream');
    const closedAt = performance.now();
    server.socket.end();
    await proxied?.waiter.until(() => proxied.serverClose !== undefined, Date.now() + 2000);
    expect(proxied?.serverClose?.how).toBe('fin');
    expect(proxied?.serverClose?.at).toBeGreaterThanOrEqual(closedAt);
    await sleep(100);
    expect(server.data.toString()).toBe('before');
    expect(client.bytes).toBe(0);
    expect(client.finAt).toBeUndefined();
    expect(client.error).toBeUndefined();
  });

  test("a server's RST on a blackholed connection is recorded and does not reset the client", async () => {
    const recorder = await startRecorder();
    const proxy = await proxyWith([], { upstream: recorder });
    const client = await connectPeer(proxy.port);
    const server = await firstPeer(recorder);
    const proxied = proxy.connectionFrom(client.socket.localPort as number);
    proxied?.blackhole();
    server.socket.resetAndDestroy();
    await proxied?.waiter.until(() => proxied.serverClose !== undefined, Date.now() + 2000);
    expect(proxied?.serverClose?.how).toBe('rst');
    await sleep(50);
    expect(client.error).toBeUndefined();
    expect(client.finAt).toBeUndefined();
  });

  test('connectionFrom finds a connection by its client port and records the server close without a blackhole', async () => {
    const proxy = await proxyWith([]);
    const client = await connectPeer(proxy.port);
    await roundTrip(client);
    const proxied = proxy.connectionFrom(client.socket.localPort as number);
    expect(proxy.connectionFrom(1)).toBeUndefined();
    client.socket.end();
    await client.until(() => client.finAt !== undefined, 'the echo server FIN');
    expect(proxied?.serverClose?.how).toBe('fin');
  });

  test('a refused upstream resets the client', async () => {
    const gone = await listenTcp(net.createServer());
    await gone.close();
    const proxy = await proxyWith([], { upstream: gone });
    const client = await connectPeer(proxy.port);
    await client.until(() => client.closed, 'the close');
    expect(client.error).toBe('ECONNRESET');
  });

  test('toxics added to and removed from a live connection take effect at once', async () => {
    const proxy = await proxyWith([]);
    const client = await connectPeer(proxy.port);
    expect(await roundTrip(client)).toBeLessThan(100);
    const id = proxy.addToxic(latency.create({ latency: 200 }));
    expect(await roundTrip(client)).toBeGreaterThanOrEqual(199);
    proxy.removeToxic(id);
    expect(await roundTrip(client)).toBeLessThan(100);

    // Removed while holding a chunk: the chunk goes on at once rather than after its delay.
    const slow = proxy.addToxic(latency.create({ latency: 5000 }));
    const started = performance.now();
    client.socket.write('held');
    await sleep(50);
    proxy.removeToxic(slow);
    await client.until(() => client.bytes === 16 * 3 + 4, 'the held chunk');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  test('a consumer that does not read slows the producer; the proxy buffers a bounded amount', async () => {
    const recorder = await startRecorder((peer) => peer.socket.pause());
    const proxy = await proxyWith([latency.create({ latency: 5, direction: 'upstream' })], { upstream: recorder });
    const client = await connectPeer(proxy.port);
    const block = Buffer.alloc(256 * 1024, 'b');
    const total = 256 * MiB;
    let written = 0;
    while (written < total) {
      const accepted = client.socket.write(block);
      written += block.length;
      if (!accepted && !(await drainedWithin(client.socket, 300))) break;
    }
    expect(written).toBeLessThan(total);
    expect(proxy.stats().buffered.upstream).toBeLessThan(1.5 * MiB);

    const server = await firstPeer(recorder);
    server.socket.resume();
    await server.until(() => server.bytes === written, 'every byte once the server reads', 10_000);
  });

  test('close() destroys every connection and the listener, leaving no socket or timer behind', async () => {
    const baseline = handleCounts();
    const proxy = await startFaultProxy(echo);
    cleanups.push(() => proxy.close());
    proxy.addToxic(timeout.create({ timeout: 10_000, direction: 'upstream' }));
    proxy.addToxic(latency.create({ latency: 1000 }));
    const clients = await Promise.all([0, 1, 2].map(() => connectPeer(proxy.port)));
    for (const client of clients) client.socket.write('data');
    for (let i = 0; i < 50 && proxy.stats().connections.open < 3; i++) await sleep(10);
    expect(proxy.stats().connections.open).toBe(3);

    const started = performance.now();
    await proxy.close();
    expect(proxy.stats().connections.open).toBe(0);
    // The clients are half-open sockets: what close() owes them is the end of their connection.
    await Promise.all(clients.map((client) => client.until(() => client.finAt !== undefined || client.error !== undefined, 'the connection to end', 500)));
    expect(performance.now() - started).toBeLessThan(500);
    for (const client of clients) client.socket.destroy();
    await expect(connectPeer(proxy.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    // The baseline may still hold the previous test's sockets, closing: none may be added, only gone.
    for (let i = 0; i < 50 && !withinBaseline(handleCounts(), baseline); i++) await sleep(10);
    expect(handleCounts()).toEqual(pickLower(handleCounts(), baseline));
  });
});

describe('FaultTarget', () => {
  test('puts a proxy in front of each TCP endpoint, passes UDP through, and stops both', async () => {
    const inner = new BuiltinTarget();
    const target = new FaultTarget(inner, [latency.create({ latency: 100 })], { seed: 'target' });
    cleanups.push(() => target.stop());
    const endpoints = await target.start(['echo-tcp', 'echo-udp']);
    const proxy = target.proxies()['echo-tcp'] as FaultProxy;
    // What the endpoint declares (the reference echo's idle timeout) is kept, as TLS settings are.
    expect(endpoints['echo-tcp']).toEqual({ host: '127.0.0.1', port: proxy.port, transport: 'tcp', idleTimeoutMs: REFERENCE_IDLE_TIMEOUT_MS });
    expect(endpoints['echo-udp']?.transport).toBe('udp');
    expect(target.proxies()['echo-udp']).toBeUndefined();
    expect(target.description).toBe('builtin (through a fault proxy)');

    const client = await connectPeer(proxy.port);
    expect(await roundTrip(client)).toBeGreaterThanOrEqual(99);
    proxy.clearToxics();
    expect(await roundTrip(client)).toBeLessThan(80);

    await target.stop();
    expect(target.proxies()).toEqual({});
    await expect(connectPeer(proxy.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  test('TLS runs end to end through the proxy with the endpoint\'s TLS settings kept', async () => {
    const target = new FaultTarget(new BuiltinTarget(), [slicer.create({ average_size: 100, size_variation: 50 })]);
    cleanups.push(() => target.stop());
    const endpoints = await target.start(['tls-echo']);
    const endpoint = endpoints['tls-echo'];
    expect(endpoint?.tls?.servername).toBe('localhost');
    const certs = await cachedCertificateSet();
    const socket = tls.connect({ host: endpoint?.host, port: endpoint?.port, servername: endpoint?.tls?.servername, ca: certs.ca.cert });
    const peer = track(new Peer(socket));
    await new Promise((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
    socket.write('through the proxy');
    await peer.until(() => peer.bytes === 17, 'the TLS echo');
    expect(peer.data.toString()).toBe('through the proxy');
  });
});

describe('toxic definitions', () => {
  test('createToxic builds each type from data; invalid fields are refused', () => {
    expect(createToxic({ type: 'limit_data', bytes: 5, direction: 'upstream' })).toMatchObject({ type: 'limit_data', direction: 'upstream', toxicity: 1, attributes: { bytes: 5 } });
    expect(() => latency.create({ latency: 10, toxicity: 1.5 })).toThrow(/toxicity/);
    expect(() => latency.create({ latency: -1 })).toThrow(/latency/);
    expect(() => slicer.create({ average_size: 10, size_variation: 10 })).toThrow(/size_variation must be below average_size/);
    expect(() => bandwidth.create({ rate: MAX_RATE_KBPS + 1 })).toThrow(/rate/);
    expect(() => limitData.create({ bytes: 1.5 })).toThrow(/bytes/);
    expect(() => createToxic({ type: 'nope' } as never)).toThrow(/unknown toxic type/);
  });

  test("createToxic takes Toxiproxy's stream and sockspec's older camelCase slicer names as their fields", () => {
    const toxic = createToxic({ type: 'slicer', stream: 'upstream', averageSize: 10, sizeVariation: 9 });
    expect(toxic).toMatchObject({ type: 'slicer', direction: 'upstream', attributes: { average_size: 10, size_variation: 9 } });
  });

  test('ids are Toxiproxy-style names, numbered when taken; unknown ids and taken names throw', async () => {
    const proxy = await proxyWith([]);
    expect(proxy.addToxic(latency.create({ latency: 1 }))).toBe('latency_downstream');
    expect(proxy.addToxic(latency.create({ latency: 1 }))).toBe('latency_downstream_2');
    expect(proxy.addToxic(latency.create({ latency: 1, name: 'mine' }))).toBe('mine');
    expect(() => proxy.addToxic(latency.create({ latency: 1, name: 'mine' }))).toThrow(/already exists/);
    expect(() => proxy.removeToxic('nope')).toThrow(/no toxic nope/);
    proxy.clearToxics();
    expect(proxy.stats().toxics).toEqual([]);
  });
});

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function drainedWithin(socket: net.Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish(false), ms);
    const onDrain = () => finish(true);
    function finish(drained: boolean) {
      clearTimeout(timer);
      socket.off('drain', onDrain);
      resolve(drained);
    }
    socket.once('drain', onDrain);
  });
}

/** Sockets, listeners and timers alive in this process, by kind. */
function handleCounts(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) {
    if (['TCPSocketWrap', 'TCPServerWrap', 'Timeout'].includes(kind)) counts[kind] = (counts[kind] ?? 0) + 1;
  }
  return counts;
}

function withinBaseline(now: Record<string, number>, baseline: Record<string, number>): boolean {
  return Object.entries(now).every(([kind, count]) => count <= (baseline[kind] ?? 0));
}

/** `now`, with any count above the baseline capped to it: equal to `now` exactly when nothing leaked. */
function pickLower(now: Record<string, number>, baseline: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(now).map(([kind, count]) => [kind, Math.min(count, baseline[kind] ?? 0)]));
}

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A /30: the host end's address and the inner end's (the server's). */
export interface Subnet {
  host: string;
  inner: string;
  prefix: 30;
}

/** The range sockspec takes its /30s from: private, and rarely used by real networks. */
const BASE = (10 << 24) | (213 << 16);
const BLOCKS = 1 << 14;

let taken = 0;

/**
 * A /30 that overlaps no address or route on the host, so the namespace can never shadow a real
 * network. Each process starts at a different block (by pid), so parallel runs rarely even try
 * the same one.
 */
export async function freeSubnet(): Promise<Subnet> {
  const used = await hostNetworks();
  const start = (process.pid * 16 + taken++) % BLOCKS;
  for (let i = 0; i < BLOCKS; i++) {
    const block = BASE + ((start + i) % BLOCKS) * 4;
    if (!used.some(([net, bits]) => overlaps(block, 30, net, bits))) {
      return { host: dotted(block + 1), inner: dotted(block + 2), prefix: 30 };
    }
  }
  throw new Error('no free /30 left in 10.213.0.0/16');
}

/** Every IPv4 network the host has an address in or a route to (the default route aside). */
async function hostNetworks(): Promise<Array<[number, number]>> {
  const [addrs, routes] = await Promise.all([
    run('ip', ['-4', '-o', 'addr', 'show'], { encoding: 'utf8' }),
    run('ip', ['-4', 'route', 'show', 'table', 'all'], { encoding: 'utf8' }),
  ]);
  const cidrs = [...addrs.stdout.matchAll(/inet (\d+\.\d+\.\d+\.\d+)\/(\d+)/g)].map((m) => [m[1], m[2]]);
  for (const line of routes.stdout.split('\n')) {
    const match = /^(?:\S+ )?(\d+\.\d+\.\d+\.\d+)(?:\/(\d+))?/.exec(line);
    if (match) cidrs.push([match[1], match[2] ?? '32']);
  }
  return cidrs.map(([address, bits]) => [numeric(address), Number(bits)]);
}

function overlaps(a: number, aBits: number, b: number, bBits: number): boolean {
  const bits = Math.min(aBits, bBits);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return ((a & mask) >>> 0) === ((b & mask) >>> 0);
}

function numeric(address: string): number {
  return address.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

function dotted(n: number): string {
  return [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join('.');
}

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { NamespaceError } from './namespace-error';

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
/** The blocks this process holds: its namespaces start side by side, each checking the host before any has added its address. */
const held = new Set<number>();

/**
 * A /30 that overlaps no address or route on the host, so the namespace can never shadow a real
 * network. The check and the address's addition are two steps, and two runs that pick the same
 * block between them both get it (the kernel lets two devices carry one address). Each process
 * therefore starts at a block scattered by its pid (a multiplicative hash, so that pids close
 * together or a power of two apart start far apart): two parallel runs start at the same block
 * with a chance of about 1 in 16384, and collide only if they also check and add within the same
 * few milliseconds.
 */
export async function freeSubnet(): Promise<Subnet> {
  const used = await hostNetworks();
  const start = (Math.imul(process.pid, 0x9e3779b1) >>> 18) + taken++;
  for (let i = 0; i < BLOCKS; i++) {
    const block = BASE + ((start + i) % BLOCKS) * 4;
    if (!held.has(block) && !used.some(([net, bits]) => overlaps(block, 30, net, bits))) {
      held.add(block);
      return { host: dotted(block + 1), inner: dotted(block + 2), prefix: 30 };
    }
  }
  throw new NamespaceError('no free /30 left in 10.213.0.0/16 (every block overlaps an address or route of the host)');
}

/** Gives a block back once its namespace and link are gone. */
export function releaseSubnet(subnet: Subnet): void {
  held.delete(numeric(subnet.host) - 1);
}

/** Every IPv4 network the host has an address in or a route to (the default route aside). */
async function hostNetworks(): Promise<Array<[number, number]>> {
  const [addrs, routes] = await Promise.all([ip(['-4', '-o', 'addr', 'show']), ip(['-4', 'route', 'show', 'table', 'all'])]);
  const cidrs = [...addrs.matchAll(/inet (\d+\.\d+\.\d+\.\d+)\/(\d+)/g)].map((m) => [m[1], m[2]]);
  for (const line of routes.split('\n')) {
    const match = /^(?:\S+ )?(\d+\.\d+\.\d+\.\d+)(?:\/(\d+))?/.exec(line);
    if (match) cidrs.push([match[1], match[2] ?? '32']);
  }
  return cidrs.map(([address, bits]) => [numeric(address), Number(bits)]);
}

async function ip(args: string[]): Promise<string> {
  try {
    return (await run('ip', args, { encoding: 'utf8', timeout: 10_000 })).stdout;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    throw new NamespaceError(`ip ${args.join(' ')}: ${(e.stderr?.trim() || e.code || e.message).split('\n')[0]}`);
  }
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

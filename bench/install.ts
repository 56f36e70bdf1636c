import { execFile } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import type { BenchRow } from './table';

const run = promisify(execFile);
const MB = 1_000_000;
const OUTPUT_LIMIT = 16 * 1024 * 1024;

/** What sockspec may add to a project on top of jest, without container support. */
export const INSTALL_BUDGET = { mb: 50, packages: 200 };

/** The size of an installed tree: every file's bytes, and every package folder under a node_modules. */
export interface Footprint {
  bytes: number;
  packages: number;
}

export interface Packed {
  tarball: string;
  /** The paths inside the tarball, relative to its package folder. */
  files: string[];
}

/** `npm pack` of the checkout at `root` (which builds it first, through prepack) into `into`. */
export async function packSockspec(root: string, into: string): Promise<Packed> {
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', into], { cwd: root, maxBuffer: OUTPUT_LIMIT });
  // prepack's build prints to stdout before npm's JSON.
  const [packed] = JSON.parse(stdout.slice(stdout.indexOf('\n[') + 1)) as { filename: string; files: { path: string }[] }[];
  return { tarball: path.join(into, packed.filename), files: packed.files.map((file) => file.path) };
}

/** A fresh project at `dir` with `specs` installed by npm as devDependencies; the seconds it took. */
export async function npmProject(dir: string, specs: string[]): Promise<number> {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: path.basename(dir), version: '1.0.0', private: true }));
  const started = performance.now();
  await run('npm', ['install', '--save-dev', '--no-audit', '--no-fund', ...specs], { cwd: dir, maxBuffer: OUTPUT_LIMIT });
  return (performance.now() - started) / 1000;
}

/** Bytes on disk (symbolic links not followed) and package folders in a node_modules tree. */
export function footprint(nodeModules: string): Footprint {
  const total: Footprint = { bytes: 0, packages: 0 };
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (isPackageFolder(full)) total.packages += 1;
        walk(full);
      } else {
        total.bytes += lstatSync(full).size;
      }
    }
  };
  walk(nodeModules);
  return total;
}

/** `node_modules/NAME` or `node_modules/@SCOPE/NAME` (not `.bin`, `.pnpm` and the like). */
function isPackageFolder(dir: string): boolean {
  const parent = path.basename(path.dirname(dir));
  const grandparent = path.basename(path.dirname(path.dirname(dir)));
  const name = path.basename(dir);
  if (name.startsWith('.') || name.startsWith('@')) return false;
  return parent === 'node_modules' || (parent.startsWith('@') && grandparent === 'node_modules');
}

export function describeFootprint(f: Footprint): string {
  return `${(f.bytes / MB).toFixed(0)} MB, ${f.packages} packages`;
}

/**
 * A fresh project's `npm install` of the packed tarball (jest comes with it, as a peer), against
 * a fresh project's install of jest alone, both from a warm npm cache: what sockspec adds is the
 * difference.
 */
export async function benchInstall(root: string): Promise<BenchRow> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'sockspec-bench-install-'));
  try {
    const { tarball } = await packSockspec(root, work);
    const jestRange = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { peerDependencies: Record<string, string> }).peerDependencies.jest;
    // A first install fills npm's cache, so that both timed installs read from it alike.
    await npmProject(path.join(work, 'warm-up'), [tarball]);
    const jestSeconds = await npmProject(path.join(work, 'jest-only'), [`jest@${jestRange}`]);
    const sockspecSeconds = await npmProject(path.join(work, 'sockspec'), [tarball]);
    const jest = footprint(path.join(work, 'jest-only', 'node_modules'));
    const withSockspec = footprint(path.join(work, 'sockspec', 'node_modules'));
    const added = { bytes: withSockspec.bytes - jest.bytes, packages: withSockspec.packages - jest.packages };
    return {
      name: 'npm install of the tarball (fresh project)',
      value: `${sockspecSeconds.toFixed(0)} s, ${describeFootprint(withSockspec)}`,
      peer: `jest alone ${jestSeconds.toFixed(0)} s, ${describeFootprint(jest)}`,
      comparison: `+${(added.bytes / MB).toFixed(0)} MB, +${added.packages} packages`,
      target: `<= +${INSTALL_BUDGET.mb} MB, +${INSTALL_BUDGET.packages} packages`,
      met: added.bytes <= INSTALL_BUDGET.mb * MB && added.packages <= INSTALL_BUDGET.packages,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/** A host file or folder (`from`) and the absolute path it takes inside the image (`to`). */
export interface RootfsFile {
  from: string;
  to: string;
}

/**
 * The shared libraries the dynamic loader maps for `binary`, the loader itself included, as `ldd`
 * lists them. A static binary needs none. A library `ldd` cannot find is an error: the image would
 * build and then fail at its first start with a far less helpful message.
 */
export function sharedLibraries(binary: string): string[] {
  let listing: string;
  try {
    listing = execFileSync('ldd', [binary], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    if (isStaticBinaryError(err)) return [];
    throw err;
  }
  return listing.split('\n').flatMap((line) => libraryPath(binary, line));
}

function libraryPath(binary: string, line: string): string[] {
  if (line.includes('=> not found')) throw new Error(`${binary}: ldd cannot find ${line.trim()}`);
  // `libc.so.6 => /lib/.../libc.so.6 (0x..)` for libraries, `/lib64/ld-linux...so.2 (0x..)` for the
  // loader; `linux-vdso.so.1 (0x..)` is provided by the kernel and has no path.
  const match = /(?:=>\s*|^\s*)(\/\S+)/.exec(line);
  return match ? [match[1]] : [];
}

function isStaticBinaryError(err: unknown): boolean {
  const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
  return /not a dynamic executable|statically linked/.test(stdout + stderr);
}

/** Each binary and the libraries it loads, at the same paths as on the host. */
export function binaryFiles(binaries: readonly string[]): RootfsFile[] {
  const hostPaths = new Set(binaries.flatMap((binary) => [binary, ...sharedLibraries(binary)]));
  return [...hostPaths].map((hostPath) => ({ from: hostPath, to: hostPath }));
}

/**
 * Copies `files` under `dir` at their image paths. Symlinks are followed: on merged-/usr systems
 * `/lib64` is a link into `/usr`, and the image has no target for it to point at.
 */
export function stageRootfs(dir: string, files: readonly RootfsFile[]): void {
  mkdirSync(dir, { recursive: true });
  for (const { from, to } of files) {
    const dest = path.join(dir, to);
    mkdirSync(path.dirname(dest), { recursive: true });
    cpSync(from, dest, { recursive: true, dereference: true });
  }
}

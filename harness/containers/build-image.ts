import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { binaryFiles, type RootfsFile, stageRootfs } from './rootfs';

/** What goes into an image built offline, `FROM scratch`: no registry is needed. */
export interface ImageSpec {
  tag: string;
  /** Host binaries copied with every library they load, at their host paths. */
  binaries: readonly string[];
  /** Project files and folders, e.g. the built app. */
  files: readonly RootfsFile[];
  entrypoint: readonly string[];
  /** Default arguments after the entrypoint; a container's command replaces them. */
  cmd?: readonly string[];
  env?: Readonly<Record<string, string>>;
}

export interface BuiltImage {
  tag: string;
  /** False when an image with the same inputs already existed and was kept. */
  rebuilt: boolean;
}

const HASH_LABEL = 'org.sockspec.inputs-hash';
const execFileAsync = promisify(execFile);

/** Builds `spec.tag` unless the image already there was built from the same inputs. */
export async function buildImage(spec: ImageSpec): Promise<BuiltImage> {
  const system = binaryFiles(spec.binaries);
  const dockerfile = renderDockerfile(spec, system);
  const hash = inputsHash(dockerfile, system, spec.files);
  const existing = await inspectImage(spec.tag);
  if (existing?.hash === hash) return { tag: spec.tag, rebuilt: false };

  const dir = mkdtempSync(path.join(tmpdir(), 'sockspec-image-'));
  const removeStage = () => rmSync(dir, { recursive: true, force: true });
  // A Ctrl-C mid-build ends the CLI with process.exit, past this `finally`: the staged node (~100 MB)
  // would stay in the temp folder.
  process.once('exit', removeStage);
  try {
    stageRootfs(path.join(dir, 'system'), system);
    stageRootfs(path.join(dir, 'app'), spec.files);
    writeFileSync(path.join(dir, 'Dockerfile'), `${dockerfile}LABEL ${HASH_LABEL}=${hash}\n`);
    await docker(['build', '--quiet', '--tag', spec.tag, dir]);
  } finally {
    process.off('exit', removeStage);
    removeStage();
  }
  // Each rebuild would otherwise leave the previous image behind, untagged; an image still used by
  // a container cannot be removed, and can stay.
  if (existing) await docker(['image', 'rm', existing.id]).catch(() => undefined);
  return { tag: spec.tag, rebuilt: true };
}

/**
 * Two layers: the binaries and libraries (large, the same from build to build, so Docker reuses the
 * layer) and the project files (small, changed by every project build). An empty COPY is left out:
 * as the first layer on `scratch`, Docker's builder fails on it ("layer does not exist").
 */
function renderDockerfile(spec: ImageSpec, system: readonly RootfsFile[]): string {
  const lines = [
    'FROM scratch',
    ...(system.length > 0 ? ['COPY system/ /'] : []),
    ...(spec.files.length > 0 ? ['COPY app/ /'] : []),
    ...Object.entries(spec.env ?? {}).map(([name, value]) => `ENV ${name}=${dockerfileString(name, value)}`),
    `ENTRYPOINT ${JSON.stringify(spec.entrypoint)}`,
    ...(spec.cmd ? [`CMD ${JSON.stringify(spec.cmd)}`] : []),
  ];
  return `${lines.join('\n')}\n`;
}

/** A double-quoted Dockerfile value: JSON quoting, plus `$` escaped so Docker does not expand it. */
function dockerfileString(name: string, value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`invalid environment variable name: ${name}`);
  if (/[\x00-\x1f]/.test(value)) throw new Error(`environment variable ${name} holds a control character`);
  return JSON.stringify(value).replace(/\$/g, '\\$');
}

/**
 * Binaries and libraries are identified by size and modification time: they change only with
 * package upgrades, and reading ~100 MB of node on every run would cost ~0.25 s. Project files are
 * hashed by content, because every project build rewrites them, mostly unchanged.
 */
function inputsHash(dockerfile: string, system: readonly RootfsFile[], files: readonly RootfsFile[]): string {
  const hash = createHash('sha256').update(dockerfile);
  for (const { from, to } of system) {
    const stat = statSync(from);
    hash.update(`${to} ${stat.size} ${stat.mtimeMs} ${stat.mode}\n`);
  }
  for (const { from, to } of files) hashTree(hash, from, to);
  return hash.digest('hex');
}

function hashTree(hash: ReturnType<typeof createHash>, from: string, to: string): void {
  const stat = statSync(from);
  if (!stat.isDirectory()) {
    hash.update(`${to} ${stat.mode}\n`).update(readFileSync(from));
    return;
  }
  for (const name of readdirSync(from).sort()) hashTree(hash, path.join(from, name), path.join(to, name));
}

async function inspectImage(tag: string): Promise<{ id: string; hash: string } | undefined> {
  const format = `{{.Id}} {{index .Config.Labels "${HASH_LABEL}"}}`;
  const found = await docker(['image', 'inspect', '--format', format, tag]).catch(() => undefined);
  if (found === undefined) return undefined;
  const [id, hash] = found.split(' ');
  return { id, hash };
}

async function docker(args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await execFileAsync('docker', args, { maxBuffer: 16 * 1024 * 1024 });
    return stdout.trim();
  } catch (err) {
    // The CLI puts its error last, after progress lines and deprecation notices.
    const stderr = String((err as { stderr?: unknown }).stderr ?? '').trim();
    throw new Error(`docker ${args.join(' ')} failed: ${stderr.split('\n').at(-1) || String(err)}`);
  }
}

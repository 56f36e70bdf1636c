import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PACKAGE_ROOT } from '../package-paths';
import { isPrivateFolder } from '../private-folder';
import type { Suite } from './schema';

/**
 * Bundled suites as checked before, kept between processes. Every `sockspec` command and every
 * jest worker reads and checks the bundled suites again, and the check (YAML with its positions,
 * the JSON Schema compiled, the rules) took about 0.4 s for one suite and 1.6 s for all of them:
 * most of a short command's time, and a second of each worker's start.
 *
 * An entry is used only when it was made from the same bytes: the suite file, the rule books it
 * cites, and the built harness that checked it (a rebuild or an upgrade is another key). Only a
 * suite that passed its checks is kept; a broken one is checked, and reported, every time. The
 * harness's bytes are those of the files it runs from: the built JavaScript, or the TypeScript
 * sources when the project's own tests run them. Only bundled suites are kept, so the folder holds
 * one entry per bundled suite (two, for the built harness and its sources), whatever users run.
 */
const BUNDLED = path.join(PACKAGE_ROOT, 'suites');
const RULE_BOOKS = path.join(BUNDLED, 'rules');
/** The harness this module is part of (dist/harness once built), and what its files end in (.js, or .ts run from sources). */
const HARNESS = path.resolve(__dirname, '..');
const HARNESS_EXTENSION = path.extname(__filename);

function cacheDir(): string {
  return path.join(os.tmpdir(), `sockspec-suites-${process.getuid?.() ?? 'user'}`);
}

/** `check(file)`, or what it returned for the same inputs before. */
export function cachedWhenBundled(file: string, check: (file: string) => Suite, dir = cacheDir()): Suite {
  if (path.dirname(path.resolve(file)) !== BUNDLED) return check(file);
  let digest: string;
  try {
    digest = digestOf(readFileSync(file));
  } catch {
    return check(file); // unreadable: the check says why
  }
  // One entry per suite for the built harness and one for its sources, which the project's tests run side by side.
  const entry = path.join(dir, `${path.basename(file)}${HARNESS_EXTENSION}.json`);
  const kept = readEntry(dir, entry, digest);
  if (kept) return { ...kept, file };
  const suite = check(file);
  writeEntry(dir, entry, digest, suite);
  return suite;
}

let harnessDigest: string | undefined;

/** The suite's bytes with the rule books' and the harness's. */
function digestOf(suiteText: Buffer): string {
  harnessDigest ??= filesDigest([...harnessFiles(), ...yamlFiles(RULE_BOOKS)]);
  return createHash('sha256').update(harnessDigest).update(suiteText).digest('hex');
}

function filesDigest(files: string[]): string {
  const hash = createHash('sha256');
  for (const file of files) hash.update(file).update(readFileSync(file));
  return hash.digest('hex');
}

function harnessFiles(): string[] {
  return readdirSync(HARNESS, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(HARNESS_EXTENSION) && !e.name.endsWith(`.d${HARNESS_EXTENSION}`))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => path.join(dir, name))
    .sort();
}

function readEntry(dir: string, entry: string, digest: string): Omit<Suite, 'file'> | undefined {
  if (!isPrivateFolder(dir)) return undefined;
  try {
    const parsed = JSON.parse(readFileSync(entry, 'utf8')) as { digest?: string; suite?: Omit<Suite, 'file'> };
    return parsed.digest === digest ? parsed.suite : undefined;
  } catch {
    return undefined; // none yet, or torn: check again
  }
}

/** Keeps the entry; written beside and renamed into place, so a reader sees one whole entry or none. */
function writeEntry(dir: string, entry: string, digest: string, suite: Suite): void {
  const kept: Omit<Suite, 'file'> & { file?: string } = { ...suite };
  delete kept.file;
  const temp = `${entry}.${process.pid}.${randomBytes(6).toString('hex')}`;
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!isPrivateFolder(dir)) return;
    writeFileSync(temp, JSON.stringify({ digest, suite: kept }), { flag: 'wx', mode: 0o600 });
    renameSync(temp, entry);
  } catch {
    // The cache only saves time: a read-only or full temp folder must not fail the run.
    rmSync(temp, { force: true });
  }
}

import { X509Certificate, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { CERTIFICATE_NAMES, OUT_OF_DATE, type CertificateSet, createCertificateSet } from './certificate-set';
import { DAY_MS } from './authority';
import { isPrivateFolder } from '../private-folder';

/** Part of the cache folder's name: bump it whenever what createCertificateSet() makes changes. */
export const CERTIFICATE_CACHE_VERSION = 4;
const CACHE_FILE = 'set.json';
/** A cached set is used only while every good certificate in it stays valid this much longer. */
const MIN_REMAINING_MS = DAY_MS;

export function defaultCacheDir(): string {
  return path.join(os.tmpdir(), `sockspec-certs-v${CERTIFICATE_CACHE_VERSION}`);
}

/**
 * The set stored in `dir` if it is there, intact, still valid and in a folder only this user can
 * write; otherwise a new one, stored for next time. Concurrent callers (jest workers) may each make
 * a set: every write goes to a file of its own and is renamed into place, so a reader sees one
 * whole set or none, never a mix.
 */
export async function cachedCertificateSet(dir = defaultCacheDir(), now = Date.now()): Promise<CertificateSet> {
  const cached = await readCache(dir, now);
  if (cached) return cached;
  const set = await createCertificateSet(now);
  await storeCertificateSet(set, dir).catch(() => {
    // The cache only saves time: a read-only or foreign temp dir must not fail the run.
  });
  return set;
}

async function readCache(dir: string, now: number): Promise<CertificateSet | undefined> {
  if (!isPrivateFolder(dir)) return undefined;
  try {
    const parsed: unknown = JSON.parse(await readFile(path.join(dir, CACHE_FILE), 'utf8'));
    return isUsableSet(parsed, now) ? parsed : undefined;
  } catch {
    return undefined; // missing or unreadable: regenerate
  }
}

/** Puts `set` in the cache folder, unless the folder is open to other users (then does nothing). */
export async function storeCertificateSet(set: CertificateSet, dir = defaultCacheDir()): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (!isPrivateFolder(dir)) return;
  const temp = path.join(dir, `${CACHE_FILE}.${process.pid}.${randomBytes(6).toString('hex')}`);
  try {
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(JSON.stringify(set));
    } finally {
      await handle.close();
    }
    await rename(temp, path.join(dir, CACHE_FILE));
  } finally {
    await rm(temp, { force: true });
  }
}

/**
 * In a shared temp dir another user could create the folder first and plant keys of their own:
 * trust it only if it is a real folder (not a link) owned by this user and closed to others.
 */
function isUsableSet(value: unknown, now: number): value is CertificateSet {
  if (typeof value !== 'object' || value === null) return false;
  const entries = value as Record<string, { cert?: unknown; key?: unknown } | undefined>;
  return CERTIFICATE_NAMES.every((name) => {
    const entry = entries[name];
    if (typeof entry?.cert !== 'string' || typeof entry.key !== 'string') return false;
    return OUT_OF_DATE.includes(name) || staysValid(entry.cert, now);
  });
}

function staysValid(pem: string, now: number): boolean {
  const cert = new X509Certificate(pem);
  return Date.parse(cert.validFrom) <= now && Date.parse(cert.validTo) - now >= MIN_REMAINING_MS;
}

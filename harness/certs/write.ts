import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CERTIFICATE_NAMES, type CertificateName, type CertificateSet } from './certificate-set';

export interface PemPaths {
  cert: string;
  key: string;
}

export type CertificatePaths = Record<CertificateName, PemPaths>;

export interface TempCertificates {
  dir: string;
  paths: CertificatePaths;
  /** Deletes the folder; also done at process exit if never called. */
  remove(): Promise<void>;
}

const KEY_MODE = 0o600;
const CERT_MODE = 0o644;

/**
 * Writes `<name>.crt` and `<name>.key` for every entry (names in kebab case: `wrong-host.crt`), for
 * tools that take files rather than PEM strings (openssl, socat, servers under test).
 */
export async function writeCertificateSet(set: CertificateSet, dir: string): Promise<CertificatePaths> {
  const entries = await Promise.all(
    CERTIFICATE_NAMES.map(async (name) => {
      const base = path.join(dir, kebab(name));
      const paths = { cert: `${base}.crt`, key: `${base}.key` };
      await writeWithMode(paths.cert, set[name].cert, CERT_MODE);
      await writeWithMode(paths.key, set[name].key, KEY_MODE);
      return [name, paths] as const;
    }),
  );
  return Object.fromEntries(entries) as CertificatePaths;
}

/** Writes the set into a new private folder under the system temp dir. */
export async function makeTempCertificates(set: CertificateSet): Promise<TempCertificates> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sockspec-pem-'));
  leftAtExit.add(dir);
  installExitHook();
  try {
    const paths = await writeCertificateSet(set, dir);
    return { dir, paths, remove: () => removeTemp(dir) };
  } catch (err) {
    await removeTemp(dir);
    throw err;
  }
}

/** What a server under test is given: its own certificate and key, and the CA certificate (no CA or client key). */
export interface ServerCertificateFiles {
  dir: string;
  cert: string;
  key: string;
  ca: string;
  /** Deletes the folder; also done at process exit if never called. */
  remove(): Promise<void>;
}

/**
 * Writes only `server.crt`, `server.key` and `ca.crt` into a new private folder: a server under test
 * is not trusted with the CA's key (it could sign any certificate) nor with the client keys (it
 * could act as a client the mutual-TLS cases expect to be someone else).
 */
export async function makeServerCertificates(set: CertificateSet): Promise<ServerCertificateFiles> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sockspec-server-pem-'));
  leftAtExit.add(dir);
  installExitHook();
  const files = { cert: path.join(dir, 'server.crt'), key: path.join(dir, 'server.key'), ca: path.join(dir, 'ca.crt') };
  try {
    await writeWithMode(files.cert, set.server.cert, CERT_MODE);
    await writeWithMode(files.key, set.server.key, KEY_MODE);
    await writeWithMode(files.ca, set.ca.cert, CERT_MODE);
    return { dir, ...files, remove: () => removeTemp(dir) };
  } catch (err) {
    await removeTemp(dir);
    throw err;
  }
}

/** What a client under test is given: the root to trust, its own certificate and key, and a decoy default trust store. */
export interface ClientCertificateFiles {
  dir: string;
  ca: string;
  /** The client certificate (clientAuth, signed by the root) and its key, for a server that asks for one. */
  cert: string;
  key: string;
  /**
   * A file holding the unrelated root (`otherCa`), and an empty folder: named by SSL_CERT_FILE and
   * SSL_CERT_DIR, they are OpenSSL's default trust store for the client, so a client that trusts
   * that store besides the root it was given accepts a chain the unrelated root signed.
   */
  defaultStore: { file: string; dir: string };
  /** Deletes the folder; also done at process exit if never called. */
  remove(): Promise<void>;
}

/** Writes `ca.crt`, the client's `client.crt` and `client.key`, and the decoy default store into a new private folder; no other key goes there. */
export async function makeClientCertificates(set: CertificateSet): Promise<ClientCertificateFiles> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sockspec-client-pem-'));
  leftAtExit.add(dir);
  installExitHook();
  const files = {
    ca: path.join(dir, 'ca.crt'),
    cert: path.join(dir, 'client.crt'),
    key: path.join(dir, 'client.key'),
    defaultStore: { file: path.join(dir, 'default-store.crt'), dir: path.join(dir, 'default-store') },
  };
  try {
    await writeWithMode(files.ca, set.ca.cert, CERT_MODE);
    await writeWithMode(files.cert, set.client.cert, CERT_MODE);
    await writeWithMode(files.key, set.client.key, KEY_MODE);
    await writeWithMode(files.defaultStore.file, set.otherCa.cert, CERT_MODE);
    await mkdir(files.defaultStore.dir, { mode: 0o700 });
    return { dir, ...files, remove: () => removeTemp(dir) };
  } catch (err) {
    await removeTemp(dir);
    throw err;
  }
}

/** Runs `use` with the set written to a temp folder, and deletes the folder whatever happens. */
export async function withTempCertificates<T>(set: CertificateSet, use: (paths: CertificatePaths, dir: string) => Promise<T>): Promise<T> {
  const temp = await makeTempCertificates(set);
  try {
    return await use(temp.paths, temp.dir);
  } finally {
    await temp.remove();
  }
}

/**
 * open()'s mode applies only when it creates the file, so an existing one is narrowed too, before
 * any content goes in: a key never sits, even briefly, in a file others can read.
 */
async function writeWithMode(file: string, content: string, mode: number): Promise<void> {
  const handle = await open(file, 'w', mode);
  try {
    await handle.chmod(mode);
    await handle.writeFile(content);
  } finally {
    await handle.close();
  }
}

async function removeTemp(dir: string): Promise<void> {
  leftAtExit.delete(dir);
  await rm(dir, { recursive: true, force: true });
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
}

/** Folders not yet removed: one shared exit listener rather than one per folder (Node warns past 10). */
const leftAtExit = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' listeners must be synchronous: the event loop is already gone.
  process.on('exit', () => {
    for (const dir of leftAtExit) rmSync(dir, { recursive: true, force: true });
  });
}

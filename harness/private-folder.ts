import { lstatSync } from 'node:fs';

/**
 * True when `dir` is a real folder (not a link) that this user owns and no one else may read or
 * write (mode 0700): the only kind of folder a cache is trusted from, since what it holds is used
 * unchecked (a certificate set, suites as checked).
 */
export function isPrivateFolder(dir: string): boolean {
  try {
    const info = lstatSync(dir);
    const ownedByMe = process.getuid === undefined || info.uid === process.getuid();
    return info.isDirectory() && ownedByMe && (info.mode & 0o077) === 0;
  } catch {
    return false;
  }
}

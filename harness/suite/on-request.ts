import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/**
 * Why a suite file runs only when asked for by name (its `onRequest`: a benchmark such as the
 * capacity suite), or undefined. Read from the file's top level alone, before it is loaded: a run
 * of every suite leaves such a file out without loading it, and a malformed file is left to the
 * loader to report.
 */
export function onRequest(file: string): string | undefined {
  let head: unknown;
  try {
    const text = readFileSync(file, 'utf8');
    // Parsing every bundled suite here cost half a second of a run's start; only a file that
    // mentions the key can have it.
    if (!text.includes('onRequest')) return undefined;
    head = parse(text);
  } catch {
    return undefined;
  }
  const reason = head && typeof head === 'object' ? (head as { onRequest?: unknown }).onRequest : undefined;
  return typeof reason === 'string' ? reason : undefined;
}

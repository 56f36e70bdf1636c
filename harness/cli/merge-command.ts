import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeHtmlReport } from '../report/html';
import { mergeCaptures, mergedJunit, mergeResults, readResults, withMergedAttachments } from '../report/merge';
import { writeResults } from '../report/results-json';
import { UsageError } from './errors';

function readShard(dir: string) {
  try {
    return readResults(dir);
  } catch (err) {
    throw new UsageError(`${dir}/results.json: ${(err as Error).message}`);
  }
}

function readJunit(dirs: readonly string[]): string {
  try {
    return mergedJunit(dirs);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** `sockspec merge --out DIR SHARD_DIR...`: one set of reports from the reports of each shard. */
export function mergeReports(out: string | undefined, dirs: string[]): string[] {
  if (!out || dirs.length === 0) throw new UsageError('merge needs --out DIR and the report folders of the shards');
  for (const dir of dirs) {
    if (!existsSync(path.join(dir, 'results.json')) || !existsSync(path.join(dir, 'junit.xml'))) {
      throw new UsageError(`${dir} holds no results.json and junit.xml: give the --reports folders of sockspec run`);
    }
  }
  // Every shard is read before anything is written.
  const results = mergeResults(dirs.map(readShard));
  const junit = readJunit(dirs);
  try {
    mkdirSync(out, { recursive: true });
  } catch (err) {
    throw new UsageError(`--out ${out}: cannot use it as a folder (${(err as NodeJS.ErrnoException).code})`);
  }
  try {
    // Checked for clashes before the first copy: a refused merge writes no report.
    mergeCaptures(dirs, out);
  } catch (err) {
    throw new UsageError(`the shards' captures cannot be merged: ${(err as Error).message}`);
  }
  writeResults(out, results);
  writeHtmlReport(out, results);
  writeFileSync(path.join(out, 'junit.xml'), withMergedAttachments(junit, out));
  const t = results.totals;
  return [`merged ${dirs.length} shard(s) into ${out}: ${t.cases} cases, ${t.passed} passed, ${t.failed} failed, ${t.tolerated} tolerated, ${t.skipped} skipped`];
}

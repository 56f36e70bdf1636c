import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { writeHtmlReport } from '../report/html';
import { mergeJunit, mergeResults, readResults } from '../report/merge';
import { writeResults } from '../report/results-json';
import { UsageError } from './errors';

/** `sockspec merge --out DIR SHARD_DIR...`: one set of reports from the reports of each shard. */
export function mergeReports(out: string | undefined, dirs: string[]): string[] {
  if (!out || dirs.length === 0) throw new UsageError('merge needs --out DIR and the report folders of the shards');
  for (const dir of dirs) {
    if (!existsSync(path.join(dir, 'results.json')) || !existsSync(path.join(dir, 'junit.xml'))) {
      throw new UsageError(`${dir} holds no results.json and junit.xml: give the --reports folders of sockspec run`);
    }
  }
  mkdirSync(out, { recursive: true });
  const results = mergeResults(dirs.map(readResults));
  writeResults(out, results);
  writeHtmlReport(out, results);
  mergeJunit(dirs, out);
  const t = results.totals;
  return [`merged ${dirs.length} shard(s) into ${out}: ${t.cases} cases, ${t.passed} passed, ${t.failed} failed, ${t.tolerated} tolerated, ${t.skipped} skipped`];
}

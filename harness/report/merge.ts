import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import type { Element } from '@oozcitak/dom/lib/dom/interfaces';
import { CAPTURES_FOLDER, RESULTS_FORMAT, type ResultsFile } from './results-json';
import { mergeRuleResults } from './rule-results';

/**
 * Joins the reports of a run split with --shard across machines: results.json files become one
 * (totals recomputed), junit.xml files one <testsuites> with every <testsuite> of every shard.
 */
export function mergeResults(files: readonly ResultsFile[]): ResultsFile {
  const cases = files.flatMap((f) => f.cases);
  // Reports of a version before suite errors were counted apart have no `errors`.
  const sum = (key: keyof ResultsFile['totals']) => files.reduce((total, f) => total + (f.totals[key] ?? 0), 0);
  // Shards run with the same --seed replay as one run; with different seeds, no one seed does.
  const seeds = new Set(files.map((f) => f.seed));
  return {
    format: RESULTS_FORMAT,
    target: [...new Set(files.map((f) => f.target))].join(', '),
    strict: files.some((f) => f.strict),
    finishedAt: files.map((f) => f.finishedAt).sort().pop() ?? new Date().toISOString(),
    seed: seeds.size === 1 ? [...seeds][0] : undefined,
    // The most lenient shard's, so the merged report never claims more than every shard checked
    // (reports of a version before --time-scale have none: 1).
    timeScale: Math.max(...files.map((f) => f.timeScale ?? 1)),
    ...(files.some((f) => f.noTimeouts) ? { noTimeouts: true as const } : {}),
    totals: { cases: cases.length, passed: sum('passed'), failed: sum('failed'), tolerated: sum('tolerated'), skipped: sum('skipped'), errors: sum('errors') },
    cases,
    // Results of a version before rules were reported have none.
    rules: mergeRuleResults(files.map((f) => f.rules ?? [])),
  };
}

export function readResults(dir: string): ResultsFile {
  const results = JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as ResultsFile;
  if (results.format !== RESULTS_FORMAT) throw new Error(`${dir}/results.json has format ${results.format}, expected ${RESULTS_FORMAT}`);
  return results;
}

/**
 * One JUnit file from the junit.xml of several runs: every <testsuite> of each, totals summed. With
 * `labels` (a matrix run: one folder per target), each suite is renamed `LABEL/SUITE` and each
 * case's classname too, so that CI, which tells cases apart by classname and name, keeps the same
 * case of two targets apart.
 */
export function mergedJunit(dirs: readonly string[], labels?: readonly string[]): string {
  const suites = dirs.flatMap((dir, i) => {
    const found = testsuitesIn(path.join(dir, 'junit.xml'));
    const label = labels?.[i];
    if (label !== undefined) {
      for (const suite of found) {
        suite.att('name', `${label}/${attribute(suite, 'name')}`);
        for (const testcase of suite.filter((node) => node.node.nodeName === 'testcase')) testcase.att('classname', `${label}/${attribute(testcase, 'classname')}`);
      }
    }
    return found;
  });
  const sum = (name: string) => suites.reduce((total, suite) => total + Number(attribute(suite, name) || 0), 0);
  const root = create({ version: '1.0', encoding: 'UTF-8' }).ele('testsuites', {
    name: 'sockspec',
    tests: String(sum('tests')),
    failures: String(sum('failures')),
    errors: String(sum('errors')),
    time: sum('time').toFixed(3),
  });
  for (const suite of suites) root.import(suite);
  return root.end({ prettyPrint: true });
}

/**
 * Copies the captures of each shard into OUT/captures, where the merged results.json finds them
 * (its paths are relative to the reports folder: captures/SUITE/CASE.pcap). Shards run disjoint
 * suite files, so no two hold the same file: one two shards hold, or OUT holds already, is
 * refused before anything is copied.
 */
export function mergeCaptures(dirs: readonly string[], out: string): void {
  const copies = new Map<string, string>();
  for (const dir of dirs) {
    const captures = path.join(dir, CAPTURES_FOLDER);
    if (!existsSync(captures)) continue;
    for (const file of readdirSync(captures, { recursive: true, encoding: 'utf8' })) {
      const from = path.join(captures, file);
      if (!statSync(from).isFile()) continue;
      const to = path.join(out, CAPTURES_FOLDER, file);
      const other = copies.get(to);
      if (other !== undefined) throw new Error(`${other} and ${from} are both ${path.join(CAPTURES_FOLDER, file)}`);
      if (existsSync(to)) throw new Error(`${to} exists already`);
      copies.set(to, from);
    }
  }
  for (const [to, from] of copies) {
    mkdirSync(path.dirname(to), { recursive: true });
    copyFileSync(from, to);
  }
}

/**
 * The JUnit attachments of a merged report, pointed at the copies in OUT/captures: a shard wrote
 * them relative to where it ran, into its own reports folder, which a CI job that merges shards
 * from several machines does not have.
 */
export function withMergedAttachments(junit: string, out: string): string {
  const captures = path.relative(process.cwd(), path.join(out, CAPTURES_FOLDER));
  return junit.replace(/\[\[ATTACHMENT\|(?:[^\]|]*\/)?captures\/([^/\]|]+\/[^/\]|]+)\]\]/g, (_, file: string) => `[[ATTACHMENT|${path.join(captures, file)}]]`);
}

/** mergedJunit, written to OUT/junit.xml. */
export function mergeJunit(dirs: readonly string[], out: string, labels?: readonly string[]): void {
  writeFileSync(path.join(out, 'junit.xml'), mergedJunit(dirs, labels));
}

function testsuitesIn(file: string): XMLBuilder[] {
  let document: XMLBuilder;
  try {
    document = create(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file} is not well-formed XML: ${(err as Error).message.split('\n', 1)[0]}`);
  }
  const root = document.root();
  if (root.node.nodeName !== 'testsuites') throw new Error(`${file} is not a JUnit file: its root element is <${root.node.nodeName}>, not <testsuites>`);
  return root.filter((node) => node.node.nodeName === 'testsuite');
}

function attribute(element: XMLBuilder, name: string): string {
  return (element.node as Element).getAttribute(name) ?? '';
}

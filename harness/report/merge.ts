import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { RESULTS_FORMAT, type ResultsFile } from './results-json';

/**
 * Joins the reports of a run split with --shard across machines: results.json files become one
 * (totals recomputed), junit.xml files one <testsuites> with every <testsuite> of every shard.
 */
export function mergeResults(files: readonly ResultsFile[]): ResultsFile {
  const cases = files.flatMap((f) => f.cases);
  const sum = (key: keyof ResultsFile['totals']) => files.reduce((total, f) => total + f.totals[key], 0);
  return {
    format: RESULTS_FORMAT,
    target: [...new Set(files.map((f) => f.target))].join(', '),
    strict: files.some((f) => f.strict),
    finishedAt: files.map((f) => f.finishedAt).sort().pop() ?? new Date().toISOString(),
    totals: { cases: cases.length, passed: sum('passed'), failed: sum('failed'), tolerated: sum('tolerated'), skipped: sum('skipped') },
    cases,
  };
}

export function readResults(dir: string): ResultsFile {
  const results = JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as ResultsFile;
  if (results.format !== RESULTS_FORMAT) throw new Error(`${dir}/results.json has format ${results.format}, expected ${RESULTS_FORMAT}`);
  return results;
}

const SUITE = /<testsuite [\s\S]*?<\/testsuite>/g;
const NUMBERS = ['tests', 'failures', 'errors'] as const;

/**
 * With `labels` (a matrix run: one folder per target), each <testsuite> is renamed `LABEL/SUITE`,
 * so that CI shows the same suite of two targets apart (target names need no XML escaping).
 */
export function mergeJunit(dirs: readonly string[], out: string, labels?: readonly string[]): void {
  const documents = dirs.map((dir) => readFileSync(path.join(dir, 'junit.xml'), 'utf8'));
  const suites = documents.flatMap((xml, i) => {
    const found = xml.match(SUITE) ?? [];
    return labels ? found.map((suite) => suite.replace(/^<testsuite name="/, `<testsuite name="${labels[i]}/`)) : found;
  });
  const totals = NUMBERS.map((name) => {
    const total = documents.reduce((sum, xml) => sum + Number(new RegExp(`<testsuites [^>]*\\b${name}="(\\d+)"`).exec(xml)?.[1] ?? 0), 0);
    return `${name}="${total}"`;
  });
  const time = documents.reduce((sum, xml) => sum + Number(/<testsuites [^>]*\btime="([\d.]+)"/.exec(xml)?.[1] ?? 0), 0);
  const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="sockspec" ${totals.join(' ')} time="${time.toFixed(3)}">\n  ${suites.join('\n  ')}\n</testsuites>\n`;
  writeFileSync(path.join(out, 'junit.xml'), xml);
}


import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Measurement } from '../vocabulary/measurement';
import type { ResultEntry, ResultsFile } from './results-json';
import { failsRun } from './verdict';

/** One target's column: its run's results, or why it has none (it would not start). */
export interface MatrixColumn {
  name: string;
  /** The run's exit code (0 pass, 1 fail, 2 error, 130 interrupted). */
  exitCode: number;
  /** The folder of its own reports, relative to the matrix's. */
  reports: string;
  results?: ResultsFile;
  /** For a target without results: what went wrong, with its last output lines. */
  error?: string[];
}

/** What one case did on one target; `fail` fails that target's run, `tolerated` does not. */
export type MatrixCell = 'pass' | 'fail' | 'tolerated' | 'skip' | 'info' | 'not run';

export interface MatrixRow {
  id: string;
  title: string;
  level: ResultEntry['level'];
  ref: string;
  cells: MatrixCell[];
  /** For a case that measured (a capacity case): each target's measurements, raw, or null where it measured none. */
  measurements?: (Measurement[] | null)[];
}

export const MATRIX_FORMAT = 1;

/** matrix.json: the case × target table, from every target's results.json. */
export interface MatrixFile {
  format: typeof MATRIX_FORMAT;
  finishedAt: string;
  targets: { name: string; target?: string; exitCode: number; reports: string; error?: string[] }[];
  rows: MatrixRow[];
}

/** Rows in the order the cases ran, each case once, with a cell for every target. */
export function matrixOf(columns: readonly MatrixColumn[]): MatrixFile {
  const rows = new Map<string, MatrixRow>();
  columns.forEach((column, i) => {
    for (const entry of column.results?.cases ?? []) {
      const row = rows.get(entry.id) ?? { id: entry.id, title: entry.title, level: entry.level, ref: entry.ref, cells: columns.map((): MatrixCell => 'not run') };
      row.cells[i] = cellOf(entry, column.results?.strict ?? false);
      if (entry.measurements?.length) {
        row.measurements ??= columns.map(() => null);
        row.measurements[i] = entry.measurements;
      }
      rows.set(entry.id, row);
    }
  });
  return {
    format: MATRIX_FORMAT,
    finishedAt: new Date().toISOString(),
    targets: columns.map((c) => ({ name: c.name, target: c.results?.target, exitCode: c.exitCode, reports: c.reports, error: c.error })),
    rows: [...rows.values()],
  };
}

function cellOf(entry: ResultEntry, strict: boolean): MatrixCell {
  if (entry.verdict === 'fail') return failsRun(entry, strict) ? 'fail' : 'tolerated';
  return entry.verdict;
}

const SHOWN: Record<MatrixCell, string> = { pass: 'pass', fail: 'FAIL', tolerated: 'fail~', skip: 'skip', info: 'info', 'not run': '-' };

/**
 * The table printed after a matrix run, like Autobahn's: a row per case, a column per target, then
 * each target's totals. `fail~` is a failure that does not fail the run (should without --strict).
 */
export function matrixLines(matrix: MatrixFile, paint: (cell: MatrixCell, text: string) => string = (_c, t) => t): string[] {
  const names = matrix.targets.map((t) => t.name);
  const idWidth = Math.max(4, ...matrix.rows.map((r) => r.id.length));
  const widths = names.map((name) => Math.max(5, name.length));
  const line = (first: string, cells: string[], raw: MatrixCell[] = []) =>
    `${first.padEnd(idWidth)}  ${cells.map((text, i) => (raw[i] ? paint(raw[i], text.padEnd(widths[i])) : text.padEnd(widths[i]))).join('  ')}`.trimEnd();
  const header = line('case', names);
  const lines = [header, '-'.repeat(header.length)];
  for (const row of matrix.rows) lines.push(line(row.id, row.cells.map((c) => SHOWN[c]), row.cells));
  lines.push('-'.repeat(header.length));
  const count = (cell: MatrixCell) => matrix.targets.map((_t, i) => String(matrix.rows.filter((r) => r.cells[i] === cell).length));
  lines.push(line('passed', count('pass')), line('failed', count('fail')), line('tolerated', count('tolerated')), line('skipped', count('skip')));
  lines.push(line('exit code', matrix.targets.map((t) => String(t.exitCode))));
  const differing = matrix.rows.filter((r) => new Set(r.cells.filter((c) => c !== 'not run')).size > 1).length;
  lines.push('', `${matrix.rows.length} cases on ${names.length} targets; ${differing} case(s) differ between targets`);
  for (const target of matrix.targets.filter((t) => t.error)) {
    lines.push('', `${target.name}: no results (exit code ${target.exitCode})`, ...(target.error ?? []).map((l) => `  | ${l}`));
  }
  return lines;
}

export function writeMatrix(dir: string, matrix: MatrixFile): void {
  writeFileSync(path.join(dir, 'matrix.json'), `${JSON.stringify(matrix, null, 2)}\n`);
}

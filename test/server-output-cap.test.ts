import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { OutcomeRecord } from '../harness/report/outcome-record';
import { attachServerOutput, REPORT_OUTPUT_CHARS } from '../harness/report/server-output';
import { OUTPUT_BOUNDS, capLine } from '../harness/targets/output-tail';
import { ROOT, failedCases, sockspec, tempDir } from './support/cli';

/**
 * A server's output is capped wherever sockspec keeps or shows it (docs/limits.md): per line, and
 * in total, with how many bytes were left out.
 */
const LOUD_ECHO = path.join(ROOT, 'fixtures', 'hostile', 'loud-echo.py');
const KiB = 1024;

function failedCase(caseId: string, startedAt: number): OutcomeRecord {
  return { suite: 'echo-tcp', caseId, title: caseId, level: 'must', ref: 'RFC 862', verdict: 'fail', startedAt, durationMs: 100, notes: [] };
}

describe('attachServerOutput: the reports carry a bounded amount of server output', () => {
  test('a line from a log that comes whole (a container) is capped like the lines a command prints', async () => {
    const record = failedCase('a', 1_000);
    await attachServerOutput([record], () => [{ at: 1_010, text: 'é'.repeat(10 * 1024 * 1024) }]);
    const [line] = record.serverOutput ?? [];
    const omitted = 2 * (10 * 1024 * 1024 - OUTPUT_BOUNDS.lineChars);
    expect(line).toBe(`+10 ms  ${'é'.repeat(OUTPUT_BOUNDS.lineChars)} [… ${omitted} bytes omitted]`);
    // A line already capped where it was kept stays as it is.
    expect(capLine(`${'y'.repeat(OUTPUT_BOUNDS.lineChars)} [… 7 bytes omitted]`)).toBe(`${'y'.repeat(OUTPUT_BOUNDS.lineChars)} [… 7 bytes omitted]`);
  });

  test('all failed cases together carry at most REPORT_OUTPUT_CHARS, then how many bytes were left out', async () => {
    const records = Array.from({ length: 100 }, (_, i) => failedCase(`c${i}`, 10_000 * (i + 1)));
    const printed = records.flatMap((r) => Array.from({ length: 40 }, (_, j) => ({ at: (r.startedAt as number) + 1 + j, text: 'x'.repeat(2000) })));
    await attachServerOutput(records, () => printed);
    const chars = records.reduce((sum, r) => sum + (r.serverOutput ?? []).reduce((n, line) => n + line.length, 0), 0);
    // Past the bound, each case keeps one line saying what it is missing.
    expect(chars).toBeLessThanOrEqual(REPORT_OUTPUT_CHARS + 120 * records.length);
    expect(chars).toBeLessThan(600 * KiB);
    expect(records[0].serverOutput).toHaveLength(40);
    const cut = records.find((r) => r.serverOutput?.some((line) => line.includes('bytes omitted')));
    expect(cut?.serverOutput?.at(-1)).toMatch(/^\[… \d+ bytes omitted: a report keeps at most 512 KiB of server output, for all cases together\]$/);
    // Every later case says what it is missing, too.
    expect(records[99].serverOutput).toEqual([expect.stringMatching(/^\[… 8\d{4} bytes omitted/)]);
  });
});

describe('a server that prints 100 MB lines, through the CLI', () => {
  const reports = tempDir();
  afterAll(() => reports.remove());

  test('the terminal, results.json, junit.xml and index.html each hold a few KiB of it, and say how much was left out', async () => {
    const result = await sockspec(['run', '--suite', 'echo-tcp', '--filter', 'size-1025|size-64k', '--cmd', `python3 ${LOUD_ECHO} {port}`, '--reports', reports.path], { timeoutMs: 120_000 });
    expect(failedCases(result.stdout, 'echo-tcp')).toEqual(['size-1025', 'size-64k']);
    expect(result.stdout.length + result.stderr.length).toBeLessThan(64 * KiB);
    expect(result.stdout).toMatch(/\| connection y{2037} \[… 99\d{6} bytes omitted\]/);
    for (const file of ['results.json', 'junit.xml', 'index.html']) {
      expect(statSync(path.join(reports.path, file)).size).toBeLessThan(128 * KiB);
      expect(readFileSync(path.join(reports.path, file), 'utf8')).toMatch(/connection y{2037} \[… 99\d{6} bytes omitted\]/);
    }
  }, 180_000);
});

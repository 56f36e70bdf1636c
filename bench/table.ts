/** One measured figure, the peer it is compared with (measured in the same run), and the target. */
export interface BenchRow {
  name: string;
  value: string;
  peer: string;
  /** e.g. "0.93 of raw" or "2.1x socat" */
  comparison: string;
  target: string;
  met: boolean | undefined;
}

export function printTable(rows: readonly BenchRow[]): void {
  const header: BenchRow = { name: 'benchmark', value: 'sockspec', peer: 'peer', comparison: 'comparison', target: 'target', met: undefined };
  const cells = (r: BenchRow) => [r.name, r.value, r.peer, r.comparison, r.target, r === header ? 'met' : r.met === undefined ? '-' : r.met ? 'yes' : 'NO'];
  const all = [header, ...rows].map(cells);
  const widths = all[0].map((_, i) => Math.max(...all.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i])).join('  ');
  process.stdout.write(`${line(all[0])}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n`);
  for (const row of all.slice(1)) process.stdout.write(`${line(row)}\n`);
}

export function mbps(bytes: number, ms: number): number {
  return bytes / 1024 / 1024 / (ms / 1000);
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './cli';

/** Real clients as their fixtures list them: each one's command and its verdict in each column. */
type RealClients<Column extends string> = Record<string, { command: string; verdicts: Record<Column, string> }>;

/** The Markdown table of real clients' verdicts that docs/client-contract.md shows: a row per client, a column per case. */
export function verdictTable<Column extends string>(columns: readonly Column[], clients: RealClients<Column>): string {
  const header = `| Client | Command | ${columns.join(' | ')} |`;
  const rule = `|${' --- |'.repeat(columns.length + 2)}`;
  const rows = Object.entries(clients).map(([name, client]) => `| ${name} | \`${client.command}\` | ${columns.map((column) => client.verdicts[column]).join(' | ')} |`);
  return [header, rule, ...rows].join('\n');
}

/** docs/client-contract.md, where the verdicts the tests assert are shown. */
export function clientContract(): string {
  return readFileSync(path.join(ROOT, 'docs', 'client-contract.md'), 'utf8');
}

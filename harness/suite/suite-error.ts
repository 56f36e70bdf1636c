/** The files sockspec reads: suites, targets files naming what to run them against, a project's
 * sockspec.config.json, the rules catalogues suites cite and the chat profiles. */
export type FileKind = 'suite' | 'targets file' | 'config file' | 'rules catalogue' | 'profile';

/** One rule a file breaks, and where. */
export interface Problem {
  line: number;
  column: number;
  rule: string;
}

/** How many problems a SuiteError spells out; the rest are counted. */
export const SHOWN_PROBLEMS = 5;

/**
 * A suite (targets, config) file that cannot be used: where (file, line, column) and which rule it
 * breaks, for each problem found (first in the file first). `line`, `column` and `rule` are the
 * first problem's.
 */
export class SuiteError extends Error {
  readonly code = 'ESUITE';
  readonly line: number;
  readonly column: number;
  readonly rule: string;

  constructor(
    readonly file: string,
    readonly problems: readonly Problem[],
    readonly kind: FileKind = 'suite',
  ) {
    const shown = problems.slice(0, SHOWN_PROBLEMS).map((p) => `${file}:${p.line}:${p.column}: ${p.rule}`);
    const more = problems.length - shown.length;
    super([...shown, ...(more > 0 ? [`… and ${more} more`] : [])].join('\n  '));
    this.name = 'SuiteError';
    ({ line: this.line, column: this.column, rule: this.rule } = problems[0]);
    // A user's mistake, not sockspec's: under jest (a project's own test run) the message is all
    // that is printed, as for a CLI run. (Jest shows the message, then the stack's lines after the
    // first: a stack equal to a message of several lines would repeat them.)
    this.stack = '';
  }
}

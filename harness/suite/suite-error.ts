/** A suite file that cannot be used: where (file, line, column) and which rule it breaks. */
export class SuiteError extends Error {
  readonly code = 'ESUITE';

  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly rule: string,
  ) {
    super(`${file}:${line}:${column}: ${rule}`);
    this.name = 'SuiteError';
  }
}

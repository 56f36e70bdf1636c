/** The YAML files sockspec reads: suites, targets files naming what to run them against, and the rules catalogues suites cite. */
export type FileKind = 'suite' | 'targets file' | 'rules catalogue';

/** A suite (or targets) file that cannot be used: where (file, line, column) and which rule it breaks. */
export class SuiteError extends Error {
  readonly code = 'ESUITE';

  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly rule: string,
    readonly kind: FileKind = 'suite',
  ) {
    super(`${file}:${line}:${column}: ${rule}`);
    this.name = 'SuiteError';
  }
}

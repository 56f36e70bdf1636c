import type { OutcomeRecord } from './outcome-record';

/**
 * Whether a failed case fails the run: `must` always, `should` only when strict, `info` never; a
 * mistake in the suite (suiteError) whatever the level.
 */
export function failsRun(record: Pick<OutcomeRecord, 'level' | 'suiteError'> & { verdict: string }, strict: boolean): boolean {
  if (record.verdict !== 'fail') return false;
  if (record.suiteError) return true;
  return record.level === 'must' || (strict && record.level === 'should');
}

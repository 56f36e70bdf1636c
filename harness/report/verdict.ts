import type { OutcomeRecord } from './outcome-record';

/** Whether a failed case fails the run: `must` always, `should` only when strict, `info` never. */
export function failsRun(record: Pick<OutcomeRecord, 'level'> & { verdict: string }, strict: boolean): boolean {
  if (record.verdict !== 'fail') return false;
  return record.level === 'must' || (strict && record.level === 'should');
}

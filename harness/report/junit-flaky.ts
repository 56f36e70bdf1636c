import { readFileSync, writeFileSync } from 'node:fs';
import type { OutcomeRecord } from './outcome-record';

/**
 * jest-junit reports a case that passed on a retry as plainly passed. Surefire's format has a
 * place for that: a <flakyFailure> inside the passing <testcase>, which CI systems show as flaky.
 */
export function markFlakyCases(junitFile: string, records: readonly OutcomeRecord[]): void {
  const flaky = records.filter((r) => r.flaky);
  if (flaky.length === 0) return;
  let xml = readFileSync(junitFile, 'utf8');
  for (const r of flaky) {
    const open = new RegExp(`(<testcase classname="${escapeRegex(escapeXml(r.suite))}" name="${escapeRegex(escapeXml(r.caseId))}: [^"]*"[^>]*>)`);
    const message = `failed ${(r.flaky?.attempts ?? 2) - 1} time(s) before passing`;
    const detail = escapeXml(r.flaky?.firstFailure ?? '');
    xml = xml.replace(open, (testcase) => `${testcase}\n      <flakyFailure message="${message}" type="sockspec.flaky"><stackTrace>${detail}</stackTrace></flakyFailure>`);
  }
  writeFileSync(junitFile, xml);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

import { readFileSync, writeFileSync } from 'node:fs';
import type { OutcomeRecord } from './outcome-record';

/**
 * What jest-junit cannot write, added to its file: a case that passed on a retry, which it reports
 * as plainly passed, gets Surefire's <flakyFailure> (CI systems show it as flaky); a failed case
 * gets what the server printed while it ran as its <system-err>.
 */
export function annotateJunit(junitFile: string, records: readonly OutcomeRecord[]): void {
  const annotated = records.filter((r) => r.flaky || r.serverOutput);
  if (annotated.length === 0) return;
  let xml = readFileSync(junitFile, 'utf8');
  for (const r of annotated) {
    const testcase = new RegExp(`(<testcase classname="${escapeRegex(escapeXml(r.suite))}" name="${escapeRegex(escapeXml(r.caseId))}: [^"]*"[^>]*>)([\\s\\S]*?)(\\s*</testcase>)`);
    xml = xml.replace(testcase, (_whole, open: string, body: string, close: string) => `${open}${flakyElement(r)}${body}${serverOutputElement(r)}${close}`);
  }
  writeFileSync(junitFile, xml);
}

function flakyElement(r: OutcomeRecord): string {
  if (!r.flaky) return '';
  const message = `failed ${(r.flaky.attempts ?? 2) - 1} time(s) before passing`;
  return `\n      <flakyFailure message="${message}" type="sockspec.flaky"><stackTrace>${escapeXml(r.flaky.firstFailure ?? '')}</stackTrace></flakyFailure>`;
}

function serverOutputElement(r: OutcomeRecord): string {
  if (!r.serverOutput) return '';
  return `\n      <system-err>${escapeXml(`server output while the case ran:\n${r.serverOutput.join('\n')}`)}</system-err>`;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

import { summaryLines } from '../harness/report/summary';
import type { OutcomeRecord } from '../harness/report/outcome-record';

function skipped(suite: string, caseId: string, reason: string): OutcomeRecord {
  return { suite, caseId, title: caseId, level: 'must', ref: '', verdict: 'skip', durationMs: 0, notes: [], reason };
}

describe('the summary after a run', () => {
  test('skipped cases: one line per suite and reason, naming the first cases and counting the rest', () => {
    const noClient = 'a client suite: give the client to check with --client';
    const records = [
      ...['partial-reads', 'slow-reader', 'half-close', 'reset', 'binary'].map((id) => skipped('echo-client', id, noClient)),
      skipped('udp-client', 'retransmits', noClient),
      skipped('udp-client', 'backoff', noClient),
      skipped('timeouts', 'idle-close', 'needs the idle timeout the server declares'),
    ];
    const lines = summaryLines(records, false);
    const from = lines.indexOf('skipped:');
    expect(lines.slice(from + 1)).toEqual([
      `  echo-client: 5 cases (partial-reads, slow-reader, half-close, and 2 more): ${noClient}`,
      `  udp-client: 2 cases (retransmits, backoff): ${noClient}`,
      '  timeouts/idle-close: needs the idle timeout the server declares',
    ]);
  });
});

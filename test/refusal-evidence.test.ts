import { TLS_MUTANTS } from '../fixtures/mutants/tls';
import { startHangsUpOnce } from '../fixtures/hostile/tls/hangs-up-once';
import type { CaseOutcome } from '../harness/run/run-case';
import type { RunningServer } from '../harness/servers/running-server';
import { bundledSuite, runEachCaseFresh } from './support/run-suite';
import { describeWithCapture } from './support/capture';

/** The refusal checks of the tls suite: one through node:tls, one hand-written hello each way. */
const REFUSALS = ['tls10-refused', 'rc4-only-refused', 'rc4-not-selected'];
const tls = bundledSuite('tls');
const suite = { ...tls, cases: tls.cases.filter((c) => REFUSALS.includes(c.id)) };

async function outcomesAgainst(start: () => Promise<RunningServer>): Promise<Map<string, CaseOutcome>> {
  return new Map((await runEachCaseFresh(suite, start)).map((o) => [o.caseId, o]));
}

describe('a refusal counts only from a server that answers as TLS', () => {
  test('a plaintext echo refuses nothing: its echoed ClientHello is named, and no refusal rule is said broken', async () => {
    const outcomes = await outcomesAgainst(() => TLS_MUTANTS.plaintext.start());
    for (const id of REFUSALS) {
      const o = outcomes.get(id) as CaseOutcome;
      expect(o.verdict).toBe('fail');
      expect(o.failure?.summary).toMatch(/not TLS \(the reply is a ClientHello .*echoes/);
      expect(o.attribution?.as).toBe('precondition');
      expect(o.attribution?.rules).toContain('tls-port-speaks-tls');
    }
  }, 60_000);

  test('a server that hangs up on every connection refuses nothing: the control handshake says so', async () => {
    const outcomes = await outcomesAgainst(() => TLS_MUTANTS['hangs-up'].start());
    for (const id of REFUSALS) {
      const o = outcomes.get(id) as CaseOutcome;
      expect(o.verdict).toBe('fail');
      expect(o.failure?.summary).toMatch(/clean close \(FIN\).*a TLS handshake with default options on a new connection got no TLS answer/);
    }
  }, 60_000);

  test('a server that alerts every connection refuses nothing in particular: the control handshake says so', async () => {
    const outcomes = await outcomesAgainst(() => TLS_MUTANTS['alerts-everyone'].start());
    for (const id of REFUSALS) {
      const o = outcomes.get(id) as CaseOutcome;
      expect(o.verdict).toBe('fail');
      expect(o.failure?.summary).toMatch(/fatal handshake_failure \(40\) alert.*got a fatal handshake_failure \(40\) alert: a server that refuses a default handshake too/);
    }
  }, 60_000);

  test('a TLS server that refuses with a bare FIN, and answers a default handshake, passes the checks made from the client', async () => {
    const clientSide = { ...suite, cases: suite.cases.map((c) => ({ ...c, steps: c.steps.filter((step) => !('expect-wire-tls' in step)) })) };
    const outcomes = new Map((await runEachCaseFresh(clientSide, startHangsUpOnce)).map((o) => [o.caseId, o]));
    expect([...outcomes.values()].map((o) => [o.caseId, o.verdict, o.failure?.summary])).toEqual(REFUSALS.map((id) => [id, 'pass', undefined]));
    const notes = (outcomes.get('tls10-refused') as CaseOutcome).transcript.events.map((e) => e.detail ?? '');
    expect(notes.some((text) => /a default TLS handshake on the same port got a completed TLSv1.3 handshake, so the refusal is of what was offered/.test(text))).toBe(true);
  }, 60_000);
});

describeWithCapture('a refusal of an old version is checked on the wire too', () => {
  test('the same bare FIN to a TLS 1.0 hello breaks the protocol_version rule, and only that case fails', async () => {
    const outcomes = await outcomesAgainst(startHangsUpOnce);
    expect([...outcomes.values()].map((o) => [o.caseId, o.verdict])).toEqual([['tls10-refused', 'fail'], ['rc4-only-refused', 'pass'], ['rc4-not-selected', 'pass']]);
    const refused = outcomes.get('tls10-refused') as CaseOutcome;
    expect(refused.failure?.summary).toMatch(/expected the server's first alert to be protocol_version on probe; the server sent no alert/);
    expect(refused.attribution).toEqual({ as: 'step', rules: ['rfc8446-d.2-protocol-version-alert'] });
  }, 60_000);
});

import { TlsHandshakeError, connectTls } from '../../net/tls-connect';
import type { Transcript } from '../../net/transcript';
import type { Endpoint } from '../../targets/target';
import { NoEvidence } from '../../verdict/failure';
import { type HelloOutcome, describeOutcome } from './hello-exchange';
import { resolveServername } from './tls-options';

/** Where a refusal is checked: the evidence it gathers goes to the transcript under `label`. */
export interface RefusalProbe {
  label: string;
  endpoint: Endpoint;
  transcript: Transcript;
  deadline: number;
}

/**
 * Passes when a server's answer to a ClientHello, other than a ServerHello, is a refusal by a TLS
 * server of what that hello offered; throws NoEvidence otherwise. Plaintext or an echo of the
 * ClientHello is not TLS: such a server refuses nothing. An alert or a bare FIN or reset (RFC 8446
 * §6.2 makes the alert a SHOULD) counts only when the server accepts a control handshake with
 * default options on a new connection: a server that hangs up on everyone, or alerts everyone,
 * says nothing about what this hello offered.
 */
export async function requireTlsRefusal(outcome: Exclude<HelloOutcome, { kind: 'server-hello' | 'timeout' }>, probe: RefusalProbe): Promise<void> {
  if (outcome.kind === 'not-tls') {
    throw new NoEvidence(`the server answered the ClientHello with something that is not TLS (${outcome.detail}): it does not speak TLS on this port, so it refused nothing`);
  }
  const answer = describeOutcome(outcome);
  const control = await controlHandshake(probe);
  if (!control.accepted) {
    const verdict =
      outcome.kind === 'alert'
        ? 'a server that refuses a default handshake too shows nothing about what this hello offered'
        : 'no evidence that a TLS server refused anything';
    throw new NoEvidence(`the server answered with ${answer}, and a TLS handshake with default options on a new connection got ${control.said}: ${verdict}`);
  }
  probe.transcript.record(probe.label, 'note', `refused with ${answer}; a default TLS handshake on the same port got ${control.said}, so the refusal is of what was offered`);
}

/**
 * A handshake as any client would make it (default versions and suites, no certificate checks):
 * accepted when the server answers with a ServerHello, whether or not the handshake then completes
 * (a server requiring client certificates refuses it later).
 */
async function controlHandshake(probe: RefusalProbe): Promise<{ accepted: boolean; said: string }> {
  const { endpoint, transcript, deadline } = probe;
  try {
    const conn = await connectTls(`${probe.label}-control`, endpoint, { servername: resolveServername(undefined, endpoint), verify: false }, transcript, deadline);
    conn.closeNow();
    return { accepted: true, said: `a completed ${conn.tls?.protocol ?? 'TLS'} handshake` };
  } catch (err) {
    const first = err instanceof TlsHandshakeError ? err.answer?.first : undefined;
    if (first) return { accepted: first.kind === 'server-hello', said: describeOutcome(first) };
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    const ended = err instanceof TlsHandshakeError ? err.answer?.ended : undefined;
    return { accepted: false, said: `no TLS answer (${ended ? describeOutcome({ kind: ended }) : code})` };
  }
}

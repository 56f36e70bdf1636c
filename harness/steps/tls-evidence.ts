import { TlsHandshakeError, connectTls } from '../net/tls-connect';
import { describeAlert } from '../net/tls-alerts';
import type { Transcript } from '../net/transcript';
import type { Endpoint } from '../targets/target';
import { NoEvidence } from '../verdict/failure';
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
 * server; throws NoEvidence otherwise. An alert record is TLS. Plaintext or an echo of the
 * ClientHello is not: such a server refuses nothing. A bare FIN or reset proves nothing by itself
 * (a server that hangs up on everyone sends the same), so then a control handshake with default
 * options on a new connection must get a TLS answer: a server that answers that one as TLS and
 * hung up on this one refused it.
 */
export async function requireTlsRefusal(outcome: Exclude<HelloOutcome, { kind: 'server-hello' | 'timeout' }>, probe: RefusalProbe): Promise<void> {
  if (outcome.kind === 'alert') return;
  if (outcome.kind === 'not-tls') {
    throw new NoEvidence(`the server answered the ClientHello with something that is not TLS (${outcome.detail}): it does not speak TLS on this port, so it refused nothing`);
  }
  const hangUp = describeOutcome(outcome);
  const control = await controlHandshake(probe);
  if (!control.speaksTls) {
    throw new NoEvidence(
      `the server answered with ${hangUp}, and a TLS handshake with default options on a new connection got ${control.said}: ` +
        'no evidence that a TLS server refused anything',
    );
  }
  probe.transcript.record(probe.label, 'note', `refused with ${hangUp}; a default TLS handshake on the same port got ${control.said}, so the server speaks TLS`);
}

/** A handshake as any client would make it (default versions and suites, no certificate checks). */
async function controlHandshake(probe: RefusalProbe): Promise<{ speaksTls: boolean; said: string }> {
  const { endpoint, transcript, deadline } = probe;
  try {
    const conn = await connectTls(`${probe.label}-control`, endpoint, { servername: resolveServername(undefined, endpoint), verify: false }, transcript, deadline);
    conn.closeNow();
    return { speaksTls: true, said: `a completed ${conn.tls?.protocol ?? 'TLS'} handshake` };
  } catch (err) {
    const first = err instanceof TlsHandshakeError ? err.answer?.first : undefined;
    if (first?.kind === 'server-hello') return { speaksTls: true, said: 'a ServerHello' };
    if (first?.kind === 'alert') return { speaksTls: true, said: `a ${describeAlert(first.alert)} alert` };
    if (first?.kind === 'not-tls') return { speaksTls: false, said: first.detail };
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return { speaksTls: false, said: err instanceof TlsHandshakeError && err.answer?.ended ? `no TLS answer (${describeOutcome({ kind: err.answer.ended })})` : `no TLS answer (${code})` };
  }
}

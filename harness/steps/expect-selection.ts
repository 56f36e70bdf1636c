import { Type } from '@sinclair/typebox';
import { deadlineFor, endpointFor } from './context';
import { CIPHER_SUITES, CIPHER_SUITE_NAMES, suiteName } from '../net/client-hello';
import { StepFailure } from '../verdict/failure';
import { CheckedRule, StepTimeout, defineStep } from './define';
import { ServiceField } from './connect';
import { HelloSpec, exchangeHello, offered } from './support/hello-exchange';
import { requireTlsRefusal } from './support/tls-evidence';

export const expectSelection = defineStep({
  name: 'expect-selection',
  summary:
    'Sends a hand-written TLS 1.2 ClientHello offering `hello.suites` and passes unless the server selects one of the `never` suites ' +
    '(or a suite the client did not offer). A refusal passes, the server selected nothing, but only from a TLS server refusing this hello: ' +
    'a reply that is not TLS fails, and an alert, a FIN or a reset passes only if a control handshake with default options on a new ' +
    'connection gets a ServerHello.',
  schema: Type.Object(
    {
      ...CheckedRule,
      hello: HelloSpec,
      never: Type.Array(Type.Union(CIPHER_SUITE_NAMES.map((name) => Type.Literal(name))), {
        minItems: 1,
        uniqueItems: true,
        description: 'offered suites the server must not select',
      }),
      service: Type.Optional(ServiceField),
      timeout: Type.Optional(StepTimeout),
    },
    { additionalProperties: false },
  ),
  describe: (p) => `expect the server never to select ${p.never.join(', ')}`,
  check(p, _where, report) {
    const notOffered = p.never.filter((name) => !p.hello.suites.includes(name));
    if (notOffered.length) report(`never names suites hello.suites does not offer: ${notOffered.join(', ')}`, 'never');
  },
  async run(p, ctx) {
    const endpoint = endpointFor(ctx.run, p.service);
    const deadline = deadlineFor(ctx, p.timeout);
    const label = ctx.scope.label('probe');
    const outcome = await exchangeHello(label, endpoint, p.hello, ctx, deadline);
    if (outcome.kind === 'timeout') throw new StepFailure('the server neither answered nor refused the ClientHello before the deadline');
    // Nothing was selected, if the server speaks TLS at all.
    if (outcome.kind !== 'server-hello') return requireTlsRefusal(outcome, { label, endpoint, transcript: ctx.run.transcript, deadline });
    const chosen = suiteName(outcome.suite);
    if (!offered(p.hello).includes(outcome.suite)) throw new StepFailure(`the server selected ${chosen}, a suite the client did not offer`);
    if (p.never.some((name) => CIPHER_SUITES[name] === outcome.suite)) {
      throw new StepFailure(`the server selected ${chosen}, which it must never select (offered: ${p.hello.suites.join(', ')})`);
    }
  },
});

import { Type, type Static } from '@sinclair/typebox';
import { DescribedDuration, toMs } from '../../vocabulary/units';

/** The retransmission policy a case gives a UDP client (start-client's `retransmit`), as the suite writes it. */
export const RetransmitSpec = Type.Object(
  {
    rto: DescribedDuration('how long the client waits for the reply to the first transmission of a request before it sends the request again ({rto}, in ms)'),
    multiplier: Type.Number({ minimum: 1, maximum: 16, description: 'each further wait is the one before times this ({rto-multiplier})' }),
    tries: Type.Integer({ minimum: 1, maximum: 16, description: 'how many times in all the client sends a request before it gives up ({rto-tries})' }),
  },
  { additionalProperties: false, description: 'the retransmission policy the client is given in {rto}, {rto-multiplier} and {rto-tries}, which expect-retransmissions checks it against' },
);

export interface RetransmitPolicy {
  rtoMs: number;
  multiplier: number;
  tries: number;
}

export function retransmitPolicy(spec: Static<typeof RetransmitSpec>): RetransmitPolicy {
  return { rtoMs: toMs(spec.rto), multiplier: spec.multiplier, tries: spec.tries };
}

/** What the client command's placeholders hold for this policy. */
export function policyPlaceholders(policy: RetransmitPolicy): { rto: string; 'rto-multiplier': string; 'rto-tries': string } {
  return { rto: String(policy.rtoMs), 'rto-multiplier': String(policy.multiplier), 'rto-tries': String(policy.tries) };
}

/** How long the client waits after transmission `n` of a request (1: the first) before it sends the next or gives up. */
export function waitAfter(policy: RetransmitPolicy, n: number): number {
  return Math.round(policy.rtoMs * policy.multiplier ** (n - 1));
}

export function describePolicy(policy: RetransmitPolicy): string {
  return `rto ${policy.rtoMs} ms, multiplier ${policy.multiplier}, ${policy.tries} tries`;
}

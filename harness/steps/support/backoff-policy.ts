import { Type, type Static } from '@sinclair/typebox';
import type { CaseRun } from '../context';
import { caseState } from './case-state';
import { DescribedDuration, toMs } from '../../vocabulary/units';

/**
 * A retry policy as gRPC's connection-backoff document states one: the delay before the second
 * attempt is `initial`, each next one `multiplier` times the last, never more than `cap`, each
 * spread at random by ± `jitter` (a share of it); after `attempts` attempts the client gives up.
 * An attempt not connected within `attemptTimeout` has failed, as a refused one has.
 */
export const BackoffPolicySchema = Type.Object(
  {
    initial: DescribedDuration('the delay between the first attempt and the second'),
    multiplier: Type.Number({ minimum: 1, maximum: 10, description: 'each delay is the last one times this' }),
    cap: DescribedDuration('no delay is longer (before its jitter)'),
    jitter: Type.Number({ minimum: 0, maximum: 1, description: 'each delay is spread at random by ± this share of it' }),
    attempts: Type.Integer({ minimum: 2, maximum: 50, description: 'connection attempts in all, the first included, before the client gives up' }),
    attemptTimeout: DescribedDuration('how long one attempt waits for its connection: one not connected by then has failed, as a refused one'),
  },
  { additionalProperties: false, description: 'the retry policy the case declares to the client, through {initial}, {multiplier}, {cap}, {jitter}, {attempts} and {attempt-timeout}' },
);
export type BackoffPolicy = Static<typeof BackoffPolicySchema>;

const policies = caseState(() => ({ policy: undefined as BackoffPolicy | undefined }));

export function declarePolicy(run: CaseRun, policy: BackoffPolicy): void {
  policies(run).policy = policy;
}

export function declaredPolicy(run: CaseRun): BackoffPolicy | undefined {
  return policies(run).policy;
}

/** The policy as the client command gets it: durations in seconds, as {timeout}. */
export function policyPlaceholders(policy: BackoffPolicy): Record<'initial' | 'multiplier' | 'cap' | 'jitter' | 'attempts' | 'attempt-timeout', string> {
  return {
    initial: String(toMs(policy.initial) / 1000),
    multiplier: String(policy.multiplier),
    cap: String(toMs(policy.cap) / 1000),
    jitter: String(policy.jitter),
    attempts: String(policy.attempts),
    'attempt-timeout': String(toMs(policy.attemptTimeout) / 1000),
  };
}

/** The delay before attempt k + 1 (k from 1), without its jitter: initial × multiplier^(k-1), capped. */
export function nominalDelayMs(policy: BackoffPolicy, k: number): number {
  return Math.min(toMs(policy.cap), toMs(policy.initial) * policy.multiplier ** (k - 1));
}

/** Whether the delay before attempt k + 1 is at the cap (its uncapped value reaches it). */
export function atCap(policy: BackoffPolicy, k: number): boolean {
  return toMs(policy.initial) * policy.multiplier ** (k - 1) >= toMs(policy.cap);
}

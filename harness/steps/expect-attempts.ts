import { Type } from '@sinclair/typebox';
import { CheckedRule, defineStep } from './define';
import { toleranceFor } from './context';
import { startedServerSide } from './support/server-side';
import { synCaptureOf, type Attempt } from './support/syn-capture';
import { atCap, declaredPolicy, nominalDelayMs, type BackoffPolicy } from './support/backoff-policy';
import { clientState } from './support/client-state';
import { companionsOf, describeCopies, lockStepProblem } from './support/companions';
import { StepFailure, SuiteUsageError } from '../verdict/failure';
import { DescribedDuration, toMs } from '../vocabulary/units';

/** After the client's exit, how long its last SYNs may still be on their way through tcpdump's pipe. */
const CAPTURE_SETTLE_MS = 300;

const CHECKS = {
  growth: 'each delay below the cap is initial × multiplier^(k-1), ± jitter, ± tolerance',
  cap: 'each delay at the cap is the cap, ± jitter, ± tolerance: never longer',
  jitter: 'some delay is more than tolerance away from its value without jitter: clients started together do not retry in lock-step',
  apart: "the clients start-client's copies started together do not retry in lock-step: in at least two of the delays they all made, the copies' k-th delays differ by more than tolerance",
} as const;

export const expectAttempts = defineStep({
  name: 'expect-attempts',
  summary:
    "Client suites: once the client has exited, checks the connection attempts start-client's refuse or drop recorded (each first SYN, " +
    "timed on the wire) against the retry policy start-client's backoff declared: their count, and the delays between them (growth, cap, jitter); " +
    "or, with apart, whether the clients start-client's copies started together retry in lock-step. " +
    'Delay k runs from the moment attempt k failed (a refused one at its reset, a dropped one the attempt timeout after its SYN) to attempt k + 1\'s first SYN.',
  schema: Type.Object(
    {
      ...CheckedRule,
      count: Type.Optional(Type.Union([Type.Literal('policy'), Type.Integer({ minimum: 1 })], { description: 'policy: exactly the attempts the policy declares; or a number' })),
      delays: Type.Optional(Type.Union(Object.entries(CHECKS).map(([name, what]) => Type.Literal(name, { description: what })), { description: 'which property of the delays between attempts to check' })),
      tolerance: Type.Optional(DescribedDuration('with delays: how far each delay may be off its window (the client\'s timers and a loaded machine; scaled by --time-scale for growth and cap, not for jitter, nor are the policy\'s delays)')),
    },
    { additionalProperties: false },
  ),
  describe: (p) => `expect the attempts${p.count !== undefined ? ` to number ${p.count}` : ''}${p.delays ? ` and their delays to show ${p.delays}` : ''}`,
  check(p, where, report) {
    if (where.peer !== 'client') report('expect-attempts is for client suites (peer: client)');
    if ((p.delays === undefined) !== (p.tolerance === undefined)) report('delays and tolerance go together', p.delays === undefined ? 'tolerance' : 'delays');
    if (p.count === undefined && p.delays === undefined) report('give count, or delays and tolerance');
  },
  async run(p, ctx) {
    const side = await startedServerSide(ctx.run);
    const capture = synCaptureOf(ctx);
    const policy = declaredPolicy(ctx.run);
    if (!capture) throw new SuiteUsageError('expect-attempts reads the attempts start-client records: give it refuse or drop');
    if (!policy && (p.count === 'policy' || p.delays !== undefined)) throw new SuiteUsageError('expect-attempts checks a policy start-client declares: give it backoff');
    const companions = companionsOf(ctx.run);
    if (p.delays === 'apart' && companions.length === 0) throw new SuiteUsageError('expect-attempts delays: apart compares the copies start-client starts together: give it copies');
    if (!side.client) throw new StepFailure('the client was not started');
    // Every copy's, for apart: the attempts of a copy still running are not all in.
    await Promise.all([side.client.exited, ...(p.delays === 'apart' ? companions.map((companion) => companion.client?.exited) : [])]);
    await new Promise((resolve) => setTimeout(resolve, CAPTURE_SETTLE_MS));
    const attempts = capture.attempts;
    const dropped = (attempt: Attempt) => attempt.at < (capture.droppedUntil ?? 0);
    const timeoutMs = policy ? toMs(policy.attemptTimeout) : 0;
    // A refused attempt fails at its reset, within a millisecond of its SYN; a dropped one at the client's attempt timeout.
    const actual = delays(attempts, (attempt) => attempt.at + (dropped(attempt) ? timeoutMs : 0));
    const times = describeAttempts(attempts, dropped);
    if (p.count !== undefined) {
      const expected = p.count === 'policy' ? (policy as BackoffPolicy).attempts : p.count;
      if (attempts.length !== expected) throw new StepFailure(`the client made ${attempts.length} connection attempt(s), ${expected} expected`, [...times, ...clientState(side)]);
    }
    if (p.delays === 'apart') {
      const copies = [attempts, ...companions.map((companion) => companion.capture.attempts)];
      const problem = lockStepProblem(copies, toMs(p.tolerance ?? 0));
      if (problem) throw new StepFailure(problem, [...times, ...clientState(side)]);
      ctx.run.notes.push(`delays of the copies started together: ${describeCopies(copies)} ms`);
    } else if (p.delays !== undefined) {
      // The jitter check's tolerance is the least a delay must stray to count as jitter: the bar the
      // client must clear, not patience, so --time-scale leaves it alone.
      const toleranceMs = p.delays === 'jitter' ? toMs(p.tolerance ?? 0) : toleranceFor(ctx, p.tolerance);
      const problem = delaysProblem(p.delays as keyof typeof CHECKS, actual, policy as BackoffPolicy, toleranceMs);
      if (problem) throw new StepFailure(problem, [...times, ...clientState(side)]);
    }
    const note = `attempts: ${attempts.length}; delays ${actual.join(', ')} ms`;
    if (!ctx.run.notes.includes(note)) ctx.run.notes.push(note);
  },
});

/** Delay k: from the moment attempt k failed to attempt k + 1's first SYN. */
function delays(attempts: readonly Attempt[], failedAt: (attempt: Attempt) => number): number[] {
  return attempts.slice(1).map((attempt, i) => Math.round(attempt.at - failedAt(attempts[i])));
}

function describeAttempts(attempts: readonly Attempt[], dropped: (attempt: Attempt) => boolean): string[] {
  const first = attempts[0]?.at ?? 0;
  return attempts.map((attempt, i) => `attempt ${i + 1} at +${Math.round(attempt.at - first)} ms (source port ${attempt.sourcePort})${dropped(attempt) ? ', not answered' : ''}`);
}

/** What is wrong with the delays for `check`, or undefined. Delay k is the one before attempt k + 1. */
function delaysProblem(check: keyof typeof CHECKS, actual: readonly number[], policy: BackoffPolicy, toleranceMs: number): string | undefined {
  if (actual.length === 0) return 'the client made one attempt: there is no delay to check';
  const window = (k: number) => {
    const nominal = nominalDelayMs(policy, k);
    return [nominal * (1 - policy.jitter) - toleranceMs, nominal * (1 + policy.jitter) + toleranceMs].map(Math.round);
  };
  if (check === 'jitter') {
    if (actual.some((ms, i) => Math.abs(ms - nominalDelayMs(policy, i + 1)) > toleranceMs)) return undefined;
    return `every delay is within ${toleranceMs} ms of its value without jitter (${actual.map((ms, i) => `${ms} for ${nominalDelayMs(policy, i + 1)}`).join(', ')} ms): no jitter`;
  }
  const checked = actual.map((ms, i) => ({ k: i + 1, ms })).filter(({ k }) => atCap(policy, k) === (check === 'cap'));
  const wrong = checked.find(({ k, ms }) => ms < window(k)[0] || ms > window(k)[1]);
  if (!wrong) return undefined;
  const [low, high] = window(wrong.k);
  return `the delay before attempt ${wrong.k + 1} was ${wrong.ms} ms, outside [${low}, ${high}] ms (${check === 'cap' ? 'the cap' : 'the policy'}: ${nominalDelayMs(policy, wrong.k)} ms ± ${policy.jitter * 100}%, ± ${toleranceMs} ms)`;
}

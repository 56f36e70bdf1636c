import { Type } from '@sinclair/typebox';
import { ConnectionScope } from './support/scope';
import { StepFailure, SuiteUsageError } from '../verdict/failure';
import { StepList, defineStep } from './define';
import { Duration, toMs } from '../vocabulary/units';
import { sleep } from '../net/waiter';
import { setImmediate } from 'node:timers/promises';

export const parallel = defineStep({
  name: 'parallel',
  summary:
    'Runs the same steps for N clients at once, each with connections of its own and its own random ' +
    'payloads (the default seed includes the client number). `stagger` delays the start of each ' +
    'client after the first by that much more. Fails if any client fails.',
  schema: Type.Object(
    {
      clients: Type.Integer({ minimum: 1, maximum: 10000 }),
      stagger: Type.Optional(Duration),
      steps: StepList,
    },
    { additionalProperties: false },
  ),
  describe: (p) => `parallel (${p.clients} clients)`,
  nested: (p) => [{ path: ['steps'], steps: p.steps }],
  cost: (p) => ({ clients: p.clients }),
  async run(p, ctx) {
    const stagger = p.stagger === undefined ? 0 : toMs(p.stagger);
    const group = { clients: p.clients };
    const scopes = Array.from({ length: p.clients }, (_, i) => new ConnectionScope(i + 1, group));
    const results = await Promise.allSettled(
      scopes.map(async (scope, i) => {
        if (stagger > 0) await sleep(i * stagger, ctx.run.signal);
        return ctx.runSteps(p.steps, scope, ctx.path, `client${scope.client}`);
      }),
    );
    await Promise.all(scopes.map((scope) => scope.closeAll(ctx.run.stepTimeout)));
    const failures = results.flatMap((r, i) => (r.status === 'rejected' ? [{ client: i + 1, error: r.reason as Error }] : []));
    if (failures.length === 0) return;
    // A mistake in the suite is reported as it is, not as the clients' failure.
    const mistake = failures.find((f) => f.error instanceof SuiteUsageError);
    if (mistake) throw mistake.error;
    const first = failures[0];
    const details = first.error instanceof StepFailure ? first.error.details : [];
    const failure = new StepFailure(`${failures.length} of ${p.clients} clients failed; client ${first.client}: ${first.error.message}`, [
      ...details,
      ...(failures.length > 1 ? [`failed clients: ${failures.map((f) => f.client).slice(0, 20).join(', ')}${failures.length > 20 ? ', ...' : ''}`] : []),
    ], first.error instanceof StepFailure ? first.error.step : undefined);
    failure.client = `#${first.client}`;
    throw failure;
  },
});

export const repeat = defineStep({
  name: 'repeat',
  summary: 'Runs the steps N times in sequence, in this case\'s connections; stops at the first failure and says which round.',
  schema: Type.Object({ times: Type.Integer({ minimum: 1, maximum: 100000 }), steps: StepList }, { additionalProperties: false }),
  describe: (p) => `repeat ${p.times} times`,
  nested: (p) => [{ path: ['steps'], steps: p.steps }],
  cost: (p) => ({ rounds: p.times }),
  async run(p, ctx) {
    for (let round = 1; round <= p.times; round++) {
      // Steps that finish without I/O (send only queues) would make this loop one long chain of
      // microtasks: no timer, no socket and no signal would be served until it ended. Each round
      // first lets the event loop turn, so the case deadline and Ctrl-C are heard mid-burst.
      await setImmediate();
      try {
        await ctx.runSteps(p.steps, ctx.scope, ctx.path, `round${round}`);
      } catch (err) {
        if (!(err instanceof StepFailure)) throw err;
        throw new StepFailure(`round ${round} of ${p.times}: ${err.message}`, err.details, err.step);
      }
    }
  },
});

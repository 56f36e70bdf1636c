import { Type } from '@sinclair/typebox';
import { StepFailure, SuiteUsageError } from '../verdict/failure';
import { StepList, defineStep } from './define';

export const concurrently = defineStep({
  name: 'concurrently',
  summary:
    "Runs several step lists at the same time, in this case's connections (so each list names its " +
    'own): e.g. slow clients trickling bytes while a fresh client must still be served. Fails with the first list that fails.',
  schema: Type.Array(StepList, { minItems: 2 }),
  describe: (p) => `concurrently (${p.length} lists)`,
  nested: (p) => p.map((steps, i) => ({ path: [i], steps })),
  async run(p, ctx) {
    const results = await Promise.allSettled(p.map((steps, i) => ctx.runSteps(steps, ctx.scope, `${ctx.path}.${i + 1}`)));
    const failed = results.findIndex((r) => r.status === 'rejected');
    if (failed < 0) return;
    const error = (results[failed] as PromiseRejectedResult).reason as Error;
    if (error instanceof StepFailure || error instanceof SuiteUsageError) throw error;
    throw new StepFailure(`list ${failed + 1}: ${error.message}`);
  },
});

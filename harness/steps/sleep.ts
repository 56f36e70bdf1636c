import { sleep as pause } from '../net/waiter';
import { DescribedDuration, toMs } from '../vocabulary/units';
import { defineStep } from './define';

export const sleep = defineStep({
  name: 'sleep',
  summary: 'Waits for the given time (ends early only when the case deadline passes).',
  schema: DescribedDuration('how long to pause; it shapes the exchange, so --time-scale does not scale it'),
  describe: (p) => `sleep ${p}`,
  run: (p, ctx) => pause(toMs(p), ctx.run.signal),
});

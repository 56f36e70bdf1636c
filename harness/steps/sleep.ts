import { sleep as pause } from '../net/waiter';
import { Duration, toMs } from '../vocabulary/units';
import { defineStep } from './define';

export const sleep = defineStep({
  name: 'sleep',
  summary: 'Waits for the given time (ends early only when the case deadline passes).',
  schema: Duration,
  describe: (p) => `sleep ${p}`,
  run: (p, ctx) => pause(toMs(p), ctx.run.signal),
});

import { Type } from '@sinclair/typebox';
import { Waiter } from '../net/waiter';
import { deadlineFor, type CaseRun } from '../run/context';
import { toMs } from '../suite/units';
import { StepFailure, SuiteUsageError } from '../verdict/failure';
import { StepTimeout, defineStep } from './define';

interface Barrier {
  readonly arrived: Set<number>;
  readonly waiter: Waiter;
}

/** Barriers of one case run, by name; dropped with the run. */
const BARRIERS = new WeakMap<CaseRun, Map<string, Barrier>>();

export const barrier = defineStep({
  name: 'barrier',
  summary:
    'Inside parallel: waits until `clients` clients have reached the barrier of this name, so that, say, ' +
    'nobody sends before everybody has joined. Fails, naming the missing clients, if they do not all come in time.',
  schema: Type.Object(
    {
      name: Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_-]*$' }),
      clients: Type.Integer({ minimum: 1, maximum: 10000, description: 'how many clients must arrive: the parallel step\'s clients' }),
      timeout: Type.Optional(StepTimeout),
    },
    { additionalProperties: false },
  ),
  describe: (p) => `barrier ${p.name} (${p.clients} clients)`,
  async run(p, ctx) {
    const client = ctx.scope.client;
    if (client === undefined) throw new SuiteUsageError('barrier synchronises the clients of a parallel step; this step is not inside one');
    const state = barrierOf(ctx.run, p.name);
    state.arrived.add(client);
    if (state.arrived.size > p.clients) throw new SuiteUsageError(`barrier ${p.name}: ${state.arrived.size} clients arrived, more than the ${p.clients} it waits for`);
    state.waiter.notify();
    const deadline = deadlineFor(ctx, p.timeout === undefined ? undefined : toMs(p.timeout));
    const waited = await state.waiter.until(() => state.arrived.size >= p.clients, deadline, ctx.run.signal);
    if (waited !== 'ready') throw new StepFailure(`barrier ${p.name}: ${state.arrived.size} of ${p.clients} clients arrived in time`, [missing(state, p.clients)]);
  },
});

function barrierOf(run: CaseRun, name: string): Barrier {
  let barriers = BARRIERS.get(run);
  if (!barriers) BARRIERS.set(run, (barriers = new Map()));
  let state = barriers.get(name);
  if (!state) barriers.set(name, (state = { arrived: new Set(), waiter: new Waiter() }));
  return state;
}

/** Parallel clients are numbered 1 to N; those not arrived are usually the ones that failed earlier. */
function missing(state: Barrier, clients: number): string {
  const absent = Array.from({ length: clients }, (_, i) => i + 1).filter((c) => !state.arrived.has(c));
  return `missing clients: ${absent.slice(0, 20).join(', ')}${absent.length > 20 ? ', ...' : ''} (a client that failed before the barrier never arrives)`;
}

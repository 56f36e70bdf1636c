import { Type } from '@sinclair/typebox';
import { Waiter } from '../net/waiter';
import { deadlineFor } from './context';
import type { ClientGroup } from './support/scope';
import { StepFailure, SuiteUsageError } from '../verdict/failure';
import { StepTimeout, defineStep } from './define';

interface Barrier {
  readonly arrived: Set<number>;
  readonly waiter: Waiter;
}

/**
 * A barrier name in one run of a parallel step. A client's n-th arrival under the name joins the
 * n-th barrier, so a barrier inside a repeat is a fresh one each round for every client, however
 * far ahead of the others a client is.
 */
interface NamedBarrier {
  readonly passes: Barrier[];
  readonly arrivals: Map<number, number>;
}

/** Barriers of one parallel step run, by name; dropped with the run. */
const BARRIERS = new WeakMap<ClientGroup, Map<string, NamedBarrier>>();

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
  check(_p, where, report) {
    if (!where.inParallel) report('barrier synchronises the clients of a parallel step; this step is not inside one');
  },
  async run(p, ctx) {
    const { client, group } = ctx.scope;
    if (client === undefined || group === undefined) throw new SuiteUsageError('barrier synchronises the clients of a parallel step; this step is not inside one');
    const { state, pass } = arrive(group, p.name, client);
    const name = pass === 1 ? p.name : `${p.name} (pass ${pass})`;
    if (state.arrived.size > p.clients) throw new SuiteUsageError(`barrier ${name}: ${state.arrived.size} clients arrived, more than the ${p.clients} it waits for`);
    state.waiter.notify();
    const deadline = deadlineFor(ctx, p.timeout);
    const waited = await state.waiter.until(() => state.arrived.size >= p.clients, deadline, ctx.run.signal);
    if (waited !== 'ready') throw new StepFailure(`barrier ${name}: ${state.arrived.size} of ${p.clients} clients arrived in time`, [missing(state, p.clients), ...tooMany(group, p.clients)]);
  },
});

/** Records the client at its next pass of the named barrier; passes are counted from 1. */
function arrive(group: ClientGroup, name: string, client: number): { state: Barrier; pass: number } {
  let barriers = BARRIERS.get(group);
  if (!barriers) BARRIERS.set(group, (barriers = new Map()));
  let named = barriers.get(name);
  if (!named) barriers.set(name, (named = { passes: [], arrivals: new Map() }));
  const pass = (named.arrivals.get(client) ?? 0) + 1;
  named.arrivals.set(client, pass);
  const state = (named.passes[pass - 1] ??= { arrived: new Set(), waiter: new Waiter() });
  state.arrived.add(client);
  return { state, pass };
}

/** Parallel clients are numbered 1 to N; those not arrived are usually the ones that failed earlier. */
function missing(state: Barrier, clients: number): string {
  const absent = Array.from({ length: clients }, (_, i) => i + 1).filter((c) => !state.arrived.has(c));
  return `missing clients: ${absent.slice(0, 20).join(', ')}${absent.length > 20 ? ', ...' : ''} (a client that failed before the barrier never arrives)`;
}

function tooMany(group: ClientGroup, clients: number): string[] {
  return clients > group.clients ? [`the parallel step has ${group.clients} clients: clients ${group.clients + 1} to ${clients} do not exist`] : [];
}

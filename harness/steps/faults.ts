import { Type, type TSchema } from '@sinclair/typebox';
import { startFaultProxy, type FaultProxy } from '../faults/proxy';
import type { CaseRun } from '../run/context';
import { createToxic, toxicKinds, toxicSchema, underOwnNames, type ToxicSpec } from '../faults/toxics/registry';
import { SuiteUsageError } from '../verdict/failure';
import { defineStep } from './define';
import { registerWhenStarted } from './lifecycle-support';

/** The step's parameters: the toxics (each checked against its own kind) and the seed. */
function faultsSchema() {
  return Type.Object({ toxics: Type.Array(toxicSchema()), seed: Type.Optional(Type.String()) }, { additionalProperties: false });
}
const schemas = new WeakMap<TSchema, ReturnType<typeof faultsSchema>>();

export const faults = defineStep({
  name: 'faults',
  get summary() {
    return (
      "Puts a fault-injecting proxy between this case's new connections and the server (the first " +
      `time), and sets its toxics, as in Toxiproxy: ${toxicKinds().map((kind) => kind.type).join(', ')}. ` +
      'An empty list removes them. Decisions are seeded, so runs repeat.'
    );
  },
  /** Built from the toxic kinds registered now (the same object until one is added), so an added kind is checked too. */
  get schema() {
    const toxic = toxicSchema();
    if (!schemas.has(toxic)) schemas.set(toxic, faultsSchema());
    return schemas.get(toxic)!;
  },
  describe: (p) => `faults: ${p.toxics.map((t) => `${t.type} ${underOwnNames(t).direction ?? 'downstream'}`).join(', ') || 'none'}`,
  async run(p, ctx) {
    const run = ctx.run;
    const toxics = p.toxics.map(build);
    const proxy = run.lifecycle.proxy ?? (await startProxy(run, p.seed));
    proxy.clearToxics();
    for (const toxic of toxics) proxy.addToxic(toxic);
    run.transcript.record('sockspec', 'note', `toxics: ${proxy.stats().toxics.map((t) => t.id).join(', ') || 'none'}`);
  },
});

/** The case's first faults step puts the proxy in front of the service, for the connections made after it. */
async function startProxy(run: CaseRun, seed: string | undefined): Promise<FaultProxy> {
  const upstream = run.endpoints[run.service];
  if (!upstream || upstream.transport !== 'tcp') throw new SuiteUsageError('faults work on TCP services');
  const starting = startFaultProxy(upstream, { seed: seed ?? run.seed });
  const proxy = await registerWhenStarted(run, starting, (started) => (run.lifecycle.proxy = started));
  run.endpoints[run.service] = { ...upstream, host: proxy.host, port: proxy.port };
  // The seed its decisions come from, for a replay.
  run.transcript.record('sockspec', 'note', `fault proxy on port ${proxy.port} in front of ${upstream.host}:${upstream.port}, seed ${JSON.stringify(proxy.seed)}`);
  return proxy;
}

function build(spec: ToxicSpec) {
  try {
    return createToxic(spec);
  } catch (err) {
    throw new SuiteUsageError(`invalid toxic ${spec.type}: ${(err as Error).message}`);
  }
}

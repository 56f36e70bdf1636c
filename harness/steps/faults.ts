import { Type, type TSchema } from '@sinclair/typebox';
import { createToxic, toxicKinds, toxicSchema, underOwnNames, type ToxicSpec } from '../faults/toxics/registry';
import { SuiteUsageError } from '../verdict/failure';
import { SERVICE_TRANSPORT } from '../targets/target';
import { defineStep } from './define';
import { caseProxy } from './support/fault-proxy';

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
  check(p, where, report) {
    if (SERVICE_TRANSPORT[where.service] !== 'tcp') report(`faults work on TCP services; ${where.service} is ${SERVICE_TRANSPORT[where.service].toUpperCase()}`);
    // A rule between a toxic's attributes (the slicer's size_variation below average_size) is
    // one its schema cannot say: building the toxic checks it.
    for (const spec of p.toxics) {
      try {
        createToxic(spec);
      } catch (err) {
        report(`invalid toxic: ${(err as Error).message}`, 'toxics');
      }
    }
  },
  async run(p, ctx) {
    const run = ctx.run;
    const toxics = p.toxics.map(build);
    const proxy = await caseProxy(ctx, p.seed);
    proxy.clearToxics();
    for (const toxic of toxics) proxy.addToxic(toxic);
    run.transcript.record('sockspec', 'note', `toxics: ${proxy.stats().toxics.map((t) => t.id).join(', ') || 'none'}`);
  },
});

function build(spec: ToxicSpec) {
  try {
    return createToxic(spec);
  } catch (err) {
    throw new SuiteUsageError(`invalid toxic ${spec.type}: ${(err as Error).message}`);
  }
}

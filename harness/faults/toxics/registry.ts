import { Type, type Static, type TObject, type TSchema, type TUnsafe } from '@sinclair/typebox';
import { OPTION_ALIASES, type Toxic, type ToxicKind, type ToxicOptions } from '../toxic';
import { bandwidth } from './bandwidth';
import { latency } from './latency';
import { limitData } from './limit-data';
import { resetPeer } from './reset-peer';
import { slicer } from './slicer';
import { slowClose } from './slow-close';
import { timeout } from './timeout';

/** Every kind of toxic sockspec ships, in the order the docs list them. */
export const TOXIC_KINDS = [latency, bandwidth, slicer, limitData, resetPeer, timeout, slowClose] as const;

type Kinds = (typeof TOXIC_KINDS)[number];
type AttributesOf<K> = K extends ToxicKind<string, infer A> ? Static<TObject<A>> : never;

/** A toxic described as data (a suite's `faults` step): Toxiproxy's type name and the fields. */
export type ToxicSpec = { [K in Kinds as K['type']]: { type: K['type'] } & ToxicOptions & AttributesOf<K> }[Kinds['type']];

const kinds = new Map<string, ToxicKind>(TOXIC_KINDS.map((kind) => [kind.type, kind as unknown as ToxicKind]));
let schema: TUnsafe<ToxicSpec> | undefined;

/**
 * Adds a kind of toxic beside the shipped ones, for this process: suites loaded after it may use
 * it, and the schema and the docs check see it. A type name that is taken throws.
 */
export function registerToxicKind(kind: ToxicKind): void {
  if (kinds.has(kind.type)) throw new TypeError(`a toxic of type ${kind.type} is already registered`);
  kinds.set(kind.type, kind);
  schema = undefined;
}

export function toxicKinds(): ToxicKind[] {
  return [...kinds.values()];
}

/**
 * The schema of one toxic: a union keyed by `type` (ajv's discriminator), so a toxic is checked
 * against its own kind's fields alone and a field of another kind is reported as unknown. Built
 * from the kinds registered now, and the same object until another is registered.
 */
export function toxicSchema(): TUnsafe<ToxicSpec> {
  schema ??= Type.Unsafe<ToxicSpec>({
    type: 'object',
    required: ['type'],
    discriminator: { propertyName: 'type' },
    oneOf: toxicKinds().map(spelledEitherWay),
  });
  return schema;
}

/** Builds a toxic from its description (aliases as their attributes); throws on an unknown type or an invalid field. */
export function createToxic(spec: ToxicSpec | ({ type: string } & Record<string, unknown>)): Toxic {
  const kind = kinds.get(spec.type);
  if (!kind) throw new TypeError(`unknown toxic type ${String(spec.type)} (known: ${[...kinds.keys()].join(', ')})`);
  return kind.create(underOwnNames(spec, kind));
}

/** The spec with each alias (`stream`, `averageSize`, ...) given as the field it stands for. */
export function underOwnNames(spec: { type: string }, kind = kinds.get(spec.type)): ToxicOptions & Record<string, unknown> {
  const aliases: Record<string, string> = { ...OPTION_ALIASES, ...kind?.aliases };
  return Object.fromEntries(Object.entries(spec).map(([field, value]) => [aliases[field] ?? field, value]));
}

/**
 * A kind's schema with each alias accepted for its field: given one or the other, not both, and a
 * required field needs one of them. The loader says so: "give only one of", "needs one of".
 */
function spelledEitherWay(kind: ToxicKind): TSchema {
  const aliases = Object.entries({ ...OPTION_ALIASES, ...kind.aliases });
  const properties: Record<string, TSchema> = { ...kind.schema.properties };
  const required = new Set(kind.schema.required ?? []);
  const spellings = aliases.map(([alias, field]) => {
    properties[alias] = properties[field];
    const forms: object[] = [{ required: [field] }, { required: [alias] }];
    if (!required.delete(field)) forms.push({ not: { anyOf: forms.slice() } });
    return { oneOf: forms };
  });
  return { ...kind.schema, properties, required: [...required], allOf: spellings };
}

import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import { DeclarationsSchema, type TargetKind, type Declarations } from './define';
import { builtin } from './kinds/builtin';
import { referenceContainers } from './kinds/reference-containers';
import { address } from './kinds/address';
import { command } from './kinds/command';
import { image } from './kinds/image';
import { client } from './kinds/client';
import { deadlineMs, type TimeScale } from '../vocabulary/time-scale';

/** Every kind of target sockspec runs suites against, in the order `run --help` lists them. */
const BUILT_IN_KINDS = [builtin, referenceContainers, address, command, image, client] as const;

type Kinds = (typeof BUILT_IN_KINDS)[number];
type SpecFields<K> = K extends TargetKind<infer S> ? Static<S> : never;

/** A target as data, whatever its kind: what the CLI, a targets file or sockspec.config.json describe. */
export type TargetSpec = { [K in Kinds as K['name']]: { kind: K['name']; declared?: Declarations } & SpecFields<K> }[Kinds['name']];

/** The spec of a kind registered at run time (a test's, a plugin's), checked by checkedTargetSpec. */
export type ExtensionTargetSpec = { kind: string; declared?: Declarations } & Record<string, unknown>;

/**
 * The kinds by name. A kind defined elsewhere (a test's, a plugin's) joins with registerTargetKind;
 * help, the spec schema and the checks read this, so they see it too.
 */
export const TARGET_KINDS = new Map<string, TargetKind>(BUILT_IN_KINDS.map((kind) => [kind.name, kind as unknown as TargetKind]));

export function registerTargetKind<S extends TObject>(kind: TargetKind<S>): void {
  if (TARGET_KINDS.has(kind.name)) throw new Error(`a target kind named ${kind.name} is already registered`);
  TARGET_KINDS.set(kind.name, kind as unknown as TargetKind);
}

/** The kind of a spec; specs are checked (targetSpecSchema) before they get here. */
export function targetKind(spec: { kind: string }): TargetKind {
  const kind = TARGET_KINDS.get(spec.kind);
  if (!kind) throw new Error(`no target kind named ${spec.kind} (kinds: ${[...TARGET_KINDS.keys()].join(', ')})`);
  return kind;
}

/** The JSON Schema of a spec: one branch per kind, told apart by `kind`. */
export function targetSpecSchema(): TSchema {
  return Type.Union(
    [...TARGET_KINDS.values()].map((kind) =>
      Type.Object(
        { kind: Type.Literal(kind.name), declared: Type.Optional(DeclarationsSchema), ...kind.schema.properties },
        { additionalProperties: false, description: kind.summary },
      ),
    ),
  );
}

/**
 * A spec given in code (a project's own test file, a test): checked against the schema, so a
 * mistake is one line naming the field rather than a failure somewhere in a start.
 */
export function checkedTargetSpec(spec: unknown): TargetSpec {
  const kindName = typeof spec === 'object' && spec !== null ? (spec as { kind?: unknown }).kind : undefined;
  const kind = typeof kindName === 'string' ? TARGET_KINDS.get(kindName) : undefined;
  if (!kind) throw new Error(`sockspec: a target's kind is one of ${[...TARGET_KINDS.keys()].join(', ')}, not ${JSON.stringify(kindName)}`);
  // Loaded here: TypeBox's checker is 40 modules that only a spec given in code needs.
  const { Value } = require('@sinclair/typebox/value') as typeof import('@sinclair/typebox/value');
  const problem = Value.Errors(targetSpecSchema(), spec).First();
  if (problem) throw new Error(`sockspec: target ${kind.name}${problem.path ? ` ${problem.path}` : ''}: ${problem.message}`);
  return spec as TargetSpec;
}

/**
 * The spec with its readiness wait scaled by the run's time scale (--time-scale): how long a server
 * may take to start is patience. Only a kind that takes `startTimeoutMs` waits for one.
 */
export function withScaledStart<T extends { kind: string }>(spec: T, timeScale: TimeScale): T {
  const kind = targetKind(spec);
  if ((timeScale.factor === 1 && !timeScale.noTimeouts) || !('startTimeoutMs' in kind.schema.properties)) return spec;
  return { ...spec, startTimeoutMs: deadlineMs(kind.startBudgetMs(spec), timeScale) };
}

/** The target list of `sockspec run --help`. */
export function targetKindsHelp(): string {
  return [...TARGET_KINDS.values()].map((kind) => kind.help).join('\n');
}

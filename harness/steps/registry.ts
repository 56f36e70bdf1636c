import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { StepKind } from './define';
import { connect } from './connect';
import { send } from './send';
import { expect } from './expect';
import { expectSilence } from './expect-silence';
import { expectClose } from './expect-close';
import { expectTls } from './expect-tls';
import { expectRefused } from './expect-refused';
import { close, halfClose, reset } from './close';
import { sleep } from './sleep';
import { parallel, repeat } from './parallel';

/** Every step kind a suite may use, in the order the docs list them. */
export const STEP_KINDS = [connect, send, expect, expectSilence, halfClose, close, reset, expectClose, expectTls, expectRefused, sleep, parallel, repeat] as const;

type Kinds = (typeof STEP_KINDS)[number];
type ParamsOf<K> = K extends StepKind<infer S> ? Static<S> : never;

/** A step as written in a suite: one key, the kind's name, holding its parameters. */
export type Step = { [K in Kinds as K['name']]: { [N in K['name']]: ParamsOf<K> } }[Kinds['name']];

const byName = new Map<string, StepKind>(STEP_KINDS.map((kind) => [kind.name, kind as unknown as StepKind]));

export function stepKind(name: string): StepKind | undefined {
  return byName.get(name);
}

export function stepKindNames(): string[] {
  return [...byName.keys()];
}

/** The JSON Schema of one step (any kind), as editors see it: shorthands included. */
export function stepSchema(): TSchema {
  return Type.Union(
    STEP_KINDS.map((kind) => {
      const params: TSchema = kind.shorthand ? Type.Union([Type.Null(), Type.String(), kind.schema]) : kind.schema;
      return Type.Object({ [kind.name]: params }, { additionalProperties: false, description: kind.summary });
    }),
  );
}

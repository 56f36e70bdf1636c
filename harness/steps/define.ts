import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { StepContext } from './context';
import { Duration } from '../vocabulary/units';
import { RULE_ID_PATTERN } from '../vocabulary/rule-id';

/**
 * One kind of step: its schema (which is also its TypeScript type and its part of the published
 * JSON Schema), how a failure message names it, and how it runs. Adding a step kind is adding one
 * file that calls `defineStep` and listing it in `registry.ts`.
 */
export interface StepKind<S extends TSchema = TSchema> {
  readonly name: string;
  /** One sentence for docs and editors. */
  readonly summary: string;
  readonly schema: S;
  /** When set, `- close: b` means `- close: { conn: b }` and `- close:` means `- close: {}`. */
  readonly shorthand?: 'conn';
  describe(params: Static<S>): string;
  run(params: Static<S>, ctx: StepContext): Promise<void>;
  /** Where the step holds nested step lists (relative paths), so the loader checks them too. */
  nested?(params: Static<S>): { path: (string | number)[]; steps: unknown[] }[];
  /** What one run of the step costs its case, for the budget checked at load (suite/case-budget.ts). */
  cost?(params: Static<S>): StepCost;
}

/**
 * What one run of a step costs: connections it opens and bytes it sends, and for steps that hold
 * others, how many clients run those at once (parallel) and how many rounds in turn (repeat).
 */
export interface StepCost {
  connections?: number;
  bytes?: number;
  clients?: number;
  rounds?: number;
}

export function defineStep<N extends string, S extends TSchema>(kind: StepKind<S> & { name: N }): StepKind<S> & { name: N } {
  return kind;
}

export const ConnName = Type.String({
  pattern: '^[A-Za-z][A-Za-z0-9_-]*$',
  description: 'the connection this step uses; "main" when not given',
});

export const StepTimeout = Duration;

/**
 * The field every checking step may carry: the rule (one of its case's `rules`) whose check it is.
 * A failure of the step is reported as a breach of that rule; a failure before the first step that
 * names one is a failed precondition (run/attribution.ts).
 */
export const CheckedRule = {
  rule: Type.Optional(
    Type.String({ pattern: RULE_ID_PATTERN, description: "the rule, one of the case's rules, whose check this step is; a failure here names it" }),
  ),
};

/** A nested list of steps (in parallel and repeat); each item is checked as a step of its own. */
export const StepList = Type.Array(Type.Unsafe<unknown>({ $ref: '#/$defs/step' }), { minItems: 1 });

export function onConn(conn: string | undefined): string {
  return conn ? ` on ${conn}` : '';
}

/** The schema of a step whose only parameter is the connection it acts on. */
export const ConnOnly = Type.Object({ conn: Type.Optional(ConnName) }, { additionalProperties: false });
export type ConnOnlyParams = Static<typeof ConnOnly>;

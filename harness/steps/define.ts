import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type { StepContext } from './context';
import { DescribedDuration } from '../vocabulary/units';
import { RULE_ID_PATTERN } from '../vocabulary/rule-id';
import type { Need } from '../vocabulary/needs';
import type { ServiceName, Transport } from '../targets/target';

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
  /**
   * Mistakes in the step's use the loader can see (suite/step-use.ts), beyond its schema: each
   * `report`ed with the suite's file, line and column (of the parameter `at`, else of the step),
   * so that a suite mistake never reaches a case's run.
   */
  check?(params: Static<S>, where: StepWhere, report: (problem: string, at?: string) => void): void;
  /** What the target must declare or allow for the step to run: the case must list each under `needs`. */
  needs?(params: Static<S>): Need[];
  /** The connection the step opens, and to which service (default the suite's), so later steps' checks know its transport. */
  opens?(params: Static<S>): { conn: string; service?: ServiceName };
}

/** What the loader knows where a step stands, for its kind's `check`. */
export interface StepWhere {
  /** The suite's service. */
  readonly service: ServiceName;
  /** Which side of it the suite checks: a server (sockspec connects) or a client (sockspec plays the server). */
  readonly peer: 'server' | 'client';
  /** The transport of a connection (default `main`), from the step that opened it; the suite's when none did. */
  transportOf(conn: string | undefined): Transport;
  /** Whether the step runs in a client of a parallel step. */
  readonly inParallel: boolean;
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

/** A waiting step's `timeout`: patience, so --time-scale scales it (context.ts). */
export const StepTimeout = DescribedDuration("how long the step waits (default the case's step timeout; patience, scaled by --time-scale)");

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

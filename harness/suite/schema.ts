import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { DescribedDuration } from '../vocabulary/units';
import { StepList } from '../steps/define';
import { stepSchema, type Step } from '../steps/registry';
import { SERVICE_NAMES } from '../targets/target';
import { RULE_ID_PATTERN } from '../vocabulary/rule-id';
import { NEEDS, type Need } from '../vocabulary/needs';
import { published } from './published';
import { EachList } from './each';

export const LEVELS = ['must', 'should', 'info'] as const;

export type Level = (typeof LEVELS)[number];

/** Which side of its service a suite checks; the target must be of that side (a server, or a client command). */
export const PEERS = ['server', 'client'] as const;

export type Peer = (typeof PEERS)[number];

export function peerOf(suite: { peer?: Peer }): Peer {
  return suite.peer ?? 'server';
}

const CASE_FIELDS = {
  id: Type.String({ pattern: '^[a-z0-9][a-z0-9.-]*$', description: 'unique in the suite; lower case, digits, dots and dashes' }),
  title: Type.String({ minLength: 1, description: 'what the case checks, in a few words' }),
  requirement: Type.String({ minLength: 1, description: 'the rule checked, quoted or paraphrased from its source' }),
  ref: Type.String({ minLength: 1, description: 'where the rule comes from, e.g. "RFC 862" or "RFC 9293 §3.6"' }),
  level: Type.Optional(
    Type.Union(LEVELS.map((l) => Type.Literal(l)), {
      description: 'must (default): a failure fails the run; should: fails the run only with --strict; info: never fails, reports',
    }),
  ),
  timeout: Type.Optional(DescribedDuration("the case's deadline (default the suite's caseTimeout, else 30s; patience, scaled by --time-scale)")),
  stepTimeout: Type.Optional(DescribedDuration("each step's deadline in this case (default the suite's stepTimeout, else 2s; patience, scaled by --time-scale)")),
  needs: Type.Optional(
    Type.Array(Type.Union((Object.keys(NEEDS) as Need[]).map((n) => Type.Literal(n))), {
      uniqueItems: true,
      description: 'what the target must declare or allow; the case is skipped, with the reason, when it does not',
    }),
  ),
  rules: Type.Optional(
    Type.Array(Type.String({ pattern: RULE_ID_PATTERN }), {
      minItems: 1,
      uniqueItems: true,
      description: 'ids of the rules (suites/rules/*.rules.yaml) whose breach this case catches; see docs/rules.md',
    }),
  ),
  alone: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'why this case must run with nothing beside it: what it holds the server to a time for, or how it loads the machine. `sockspec run` runs the other cases of every suite side by side (--workers), and these afterwards, one at a time',
    }),
  ),
  noMutant: Type.Optional(Type.String({ description: 'why no broken server in fixtures/ is made to fail this case' })),
  steps: StepList,
};

/** A case as it runs: written so, or made by `each` from a case with placeholders (each.ts). */
export const CaseSchema = Type.Object(CASE_FIELDS, { additionalProperties: false });

/**
 * A case with `each`, as editors see it: its strings may hold `${name}`, so only its shape is
 * checked here; the loader checks each case it expands to against CaseSchema.
 */
const EachCaseSchema = Type.Object(
  {
    ...Object.fromEntries(Object.keys(CASE_FIELDS).map((field) => [field, Type.Optional(Type.Unknown())])),
    id: Type.String({ description: 'unique in the suite once expanded, e.g. size-${size}' }),
    title: Type.String({ minLength: 1 }),
    requirement: Type.String({ minLength: 1 }),
    ref: Type.String({ minLength: 1 }),
    steps: Type.Array(Type.Object({}), { minItems: 1 }),
    each: EachList,
  },
  { additionalProperties: false },
);

const SUITE_FIELDS = {
  suite: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$', description: 'the suite name, used by --suite and in reports' }),
  title: Type.String({ minLength: 1 }),
  description: Type.Optional(Type.String()),
  service: Type.Union(SERVICE_NAMES.map((s) => Type.Literal(s)), { description: 'the service the cases talk to' }),
  peer: Type.Optional(
    Type.Union(PEERS.map((p) => Type.Literal(p)), {
      description: "which side of the service the suite checks: server (default; sockspec is the client) or client (sockspec plays the server and runs the client command, `--client`)",
    }),
  ),
  onRequest: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'why the suite runs only when asked for by name (--suite), like a benchmark: `sockspec run` without --suite leaves it out, and `sockspec list` says so',
    }),
  ),
  sideBySide: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        "why the suite's cases cannot see each other: each uses connections of its own, and nothing a case checks depends on another case's connections. Against the builtin servers, which serve every connection on its own, `sockspec run` then runs them side by side within the suite file, a network case with a namespace of its own; cases that restart the server and `alone` cases still run one at a time",
    }),
  ),
  defaults: Type.Optional(
    Type.Object(
      {
        stepTimeout: Type.Optional(DescribedDuration("each step's deadline (default 2s; patience, scaled by --time-scale)")),
        caseTimeout: Type.Optional(DescribedDuration("each case's deadline (default 30s; patience, scaled by --time-scale)")),
      },
      { additionalProperties: false },
    ),
  ),
};

export const SuiteSchema = Type.Object({ ...SUITE_FIELDS, cases: Type.Array(Type.Union([CaseSchema, EachCaseSchema]), { minItems: 1 }) }, { additionalProperties: false });

/** The suite as the loader checks it first: its cases are checked one at a time, after `each` expands them. */
export const SuiteHeadSchema = Type.Object({ ...SUITE_FIELDS, cases: Type.Array(Type.Object({}), { minItems: 1 }) }, { additionalProperties: false });

export type Case = Omit<Static<typeof CaseSchema>, 'steps'> & { steps: Step[] };
export type Suite = Omit<Static<typeof SuiteHeadSchema>, 'cases'> & { cases: Case[]; file: string };

/** The schema published for editors: the suite with every step kind spelled out. */
export function publishedSchema(): TSchema {
  return published(SuiteSchema, 'suite', 'sockspec suite', { step: stepSchema() });
}

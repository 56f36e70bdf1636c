import { Type, type Static } from '@sinclair/typebox';
import { SERVICE_NAMES } from '../targets/target';
import { RULE_ID_PATTERN } from '../vocabulary/rule-id';

export const RULE_LEVELS = ['must', 'should', 'may'] as const;
export type RuleLevel = (typeof RULE_LEVELS)[number];

export const RuleSchema = Type.Object(
  {
    id: Type.String({ pattern: RULE_ID_PATTERN, description: 'stable and unique over every catalogue: <source>-<section>-<what>' }),
    level: Type.Union(RULE_LEVELS.map((l) => Type.Literal(l)), { description: 'the requirement level of the source (RFC 2119)' }),
    text: Type.String({ minLength: 1, description: 'the requirement, quoted word for word from its source ([...] marks words left out)' }),
    source: Type.String({ minLength: 1, description: 'where the text is: "docs/chat-protocol.md §2.4", "RFC 862, TCP Based Echo Service"' }),
    services: Type.Optional(
      Type.Array(Type.Union(SERVICE_NAMES.map((s) => Type.Literal(s))), {
        minItems: 1,
        uniqueItems: true,
        description: "the services whose suites may cite this rule, when fewer than the catalogue's",
      }),
    ),
    note: Type.Optional(Type.String({ minLength: 1, description: 'what the rule asks of the server, when the text says it indirectly' })),
    unobservable: Type.Optional(Type.String({ minLength: 1, description: 'why no check from the wire can tell whether a server keeps the rule' })),
  },
  { additionalProperties: false },
);

export const CatalogueSchema = Type.Object(
  {
    catalogue: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$', description: 'the catalogue name' }),
    title: Type.String({ minLength: 1 }),
    services: Type.Array(Type.Union(SERVICE_NAMES.map((s) => Type.Literal(s))), {
      minItems: 1,
      uniqueItems: true,
      description: 'the services whose suites may cite these rules',
    }),
    peer: Type.Optional(
      Type.Literal('client', { description: "client: rules a client of the services must keep, cited by client suites (peer: client); by default the rules are the server's" }),
    ),
    rules: Type.Array(RuleSchema, { minItems: 1 }),
  },
  { additionalProperties: false },
);

export type Rule = Static<typeof RuleSchema>;
export type Catalogue = Static<typeof CatalogueSchema> & { file: string };

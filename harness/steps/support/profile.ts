import { Type, type Static } from '@sinclair/typebox';
import { Regex } from '../../vocabulary/regex';

/**
 * A profile maps the abstract events of a chat relay (a message, a join, a lost member) to what one
 * server really sends, so one suite (chat-relay) can check servers with different wire formats:
 * the sockspec chat protocol and `ncat --chat` today. Cases use its variables as `{{message}}` and
 * its join exchange through the `join` step; the case run carries the run's profile
 * (CaseRun.profile), which suite/profile.ts loads.
 */
const ScriptLine = Type.Union([
  Type.Object({ send: Type.String({ description: 'a line to write (LF appended); placeholders allowed' }) }, { additionalProperties: false }),
  Type.Object({ expect: Regex('a regex the next line must match whole; placeholders allowed', { placeholders: true }) }, { additionalProperties: false }),
]);

export const ProfileSchema = Type.Object(
  {
    profile: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$' }),
    title: Type.String({ minLength: 1 }),
    description: Type.Optional(Type.String()),
    join: Type.Array(ScriptLine, { description: 'what a new connection exchanges to become a member, in order' }),
    vars: Type.Record(Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_-]*$' }), Type.String(), { description: 'values of {{name}} placeholders' }),
  },
  { additionalProperties: false },
);
export type Profile = Static<typeof ProfileSchema>;

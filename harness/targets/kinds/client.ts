import { Type } from '@sinclair/typebox';
import { defineTargetKind } from '../define';
import type { Target } from '../target';

const ClientSpec = Type.Object(
  {
    command: Type.String({ minLength: 1, description: 'the client command line; {host} and {port} are replaced by the address of the server side each case runs' }),
  },
  { additionalProperties: false },
);

/**
 * The client under test: nothing to start for the run, since each case of a client suite plays the
 * server itself and runs the command (its `start-client` step). The target is the command.
 */
export const client = defineTargetKind({
  name: 'client',
  summary: 'a client command each case of a client suite runs against the server side sockspec plays',
  schema: ClientSpec,
  help: `  --client "COMMAND"   a client to check (client suites, e.g. --suite echo-client): each
                       case starts its server side on 127.0.0.1 and runs the command with
                       {host} and {port} replaced (docs/client-contract.md). No shell.`,
  startedBy: 'suite-file',
  client: (spec) => ({ command: spec.command }),
  create: (spec): Target => ({ description: `client: ${spec.command}`, start: async () => ({}), stop: async () => undefined }),
  startBudgetMs: () => 0,
});

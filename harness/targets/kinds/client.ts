import { Type } from '@sinclair/typebox';
import { defineTargetKind } from '../define';
import type { Target } from '../target';
import { CLIENT_TIMEOUT_PATTERN, clientTimeoutMs } from '../client-command';

const ClientSpec = Type.Object(
  {
    command: Type.String({ minLength: 1, description: 'the client command line; {host} and {port} are replaced by the address of the server side each case runs' }),
    timeout: Type.Optional(
      Type.String({ pattern: CLIENT_TIMEOUT_PATTERN, description: 'the timeout the client keeps ("2s", "1500ms"), which the timing suites check; the command gets it as {timeout}, in seconds' }),
    ),
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
  help: `  --client "COMMAND"   a client to check, with the client suite it is for (--suite
                       echo-client, tls-client, udp-client, client-timeouts, client-backoff):
                       each case starts its server side on 127.0.0.1 and runs the command with
                       {host} and {port} replaced, and the suite's own placeholders ({ca},
                       {servername}, {timeout}, ...: docs/client-contract.md). No shell.
  --client-timeout T   the timeout the client keeps (2s, 1500ms; a unit is required): the
                       client-timeouts suite checks it gives up within [T, T + tolerance];
                       the command gets it as {timeout}, in seconds (2, 1.5)`,
  startedBy: 'suite-file',
  client: (spec) => {
    if (spec.timeout === undefined) return { command: spec.command };
    const timeoutMs = clientTimeoutMs(spec.timeout);
    // Flags, targets files and configs are checked where they are read; a spec given in code is checked here.
    if (typeof timeoutMs === 'string') throw new Error(`sockspec: the client's timeout ${timeoutMs}`);
    return { command: spec.command, timeoutMs };
  },
  create: (spec): Target => ({ description: `client: ${spec.command}`, start: async () => ({}), stop: async () => undefined }),
  startBudgetMs: () => 0,
});

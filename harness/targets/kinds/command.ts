import { isIP } from 'node:net';
import { Type } from '@sinclair/typebox';
import { CommandLauncher, CommandTarget, DEFAULT_START_TIMEOUT_MS, type CommandTargetOptions } from '../command';
import { defineTargetKind, type SpecOf } from '../define';

const CommandSpec = Type.Object(
  {
    command: Type.String({ minLength: 1, description: 'the command line; {port} is replaced by the port sockspec chose, {cert}, {key} and {ca} by the TLS files' }),
    readyLog: Type.Optional(Type.String({ minLength: 1, description: 'a regular expression for the line the server prints once it serves' })),
    host: Type.Optional(Type.String({ description: 'the loopback address the server is reached at (default: 127.0.0.1 or ::1, whichever it listens on)' })),
    startTimeoutMs: Type.Optional(Type.Integer({ minimum: 1, description: 'how long it may take to be ready, in ms' })),
  },
  { additionalProperties: false },
);

export const command = defineTargetKind({
  name: 'command',
  summary: 'a command sockspec starts on a port it picks, one process per start',
  schema: CommandSpec,
  help: `  --cmd "COMMAND"      a command sockspec starts; {port} is replaced by a free port, {cert},
                       {key} and {ca} by the run's TLS files (docs/tls.md). No shell is
                       involved. It is ready when it accepts a TCP connection on 127.0.0.1
                       or ::1 (or --host; for UDP, when the port is bound), or when it
                       prints a line matching --ready-log.`,
  create: (spec) => new CommandTarget(commandOptions(spec)),
  launcher: (spec) => new CommandLauncher(commandOptions(spec)),
  movable: (spec) => ({ command: commandOptions(spec) }),
  startBudgetMs: (spec) => spec.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
});

/** The spec as the command's launchers take it: a RegExp travels as its source. */
function commandOptions(spec: SpecOf<typeof CommandSpec>): CommandTargetOptions {
  return {
    command: spec.command,
    readyLog: spec.readyLog === undefined ? undefined : new RegExp(spec.readyLog),
    host: spec.host,
    startTimeoutMs: spec.startTimeoutMs,
    tls: spec.declared?.tls ?? {},
  };
}

/** Servers under test are reached on loopback only: the address `host` names (brackets taken off), or undefined when it is not a loopback one. */
export function loopbackAddress(host: string): string | undefined {
  const address = host.replace(/^\[(.*)\]$/, '$1');
  return isIP(address) !== 0 && (address === '::1' || address.startsWith('127.')) ? address : undefined;
}

/** What a host that is not a loopback address is told. */
export const LOOPBACK_HOSTS = 'a loopback address (127.0.0.1, ::1, any 127.x.y.z)';

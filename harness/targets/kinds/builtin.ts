import { Type } from '@sinclair/typebox';
import { REFERENCE_SERVERS } from '../../servers/catalog';
import { BuiltinLauncher, BuiltinTarget } from '../builtin';
import { DEFAULT_START_TIMEOUT_MS } from '../command';
import { defineTargetKind } from '../define';

export const builtin = defineTargetKind({
  name: 'builtin',
  summary: "sockspec's reference servers, started in the process that runs each suite file",
  schema: Type.Object({}, { additionalProperties: false }),
  help: `  --target builtin     the reference servers, in-process (default)`,
  startedBy: 'suite-file',
  selfDeclared: (service) => ({ idleTimeoutMs: REFERENCE_SERVERS[service].idleTimeoutMs }),
  create: () => new BuiltinTarget(),
  launcher: () => new BuiltinLauncher(),
  movable: () => ({ builtin: true }),
  startBudgetMs: () => DEFAULT_START_TIMEOUT_MS,
});

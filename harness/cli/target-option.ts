import { AddressTarget } from '../targets/address';
import { BuiltinTarget } from '../targets/builtin';
import { CommandTarget } from '../targets/command';
import type { Target } from '../targets/target';
import { UsageError } from './errors';

export interface TargetFlags {
  target?: string;
  cmd?: string;
  readyLog?: string;
  startTimeout?: string;
}

/** The target the run flags name: builtin unless --target ADDRESS or --cmd says otherwise. */
export function targetFromFlags(flags: TargetFlags): Target {
  if (flags.cmd !== undefined && flags.target !== undefined) throw new UsageError('give either --target or --cmd, not both');
  if ((flags.readyLog !== undefined || flags.startTimeout !== undefined) && flags.cmd === undefined) {
    throw new UsageError('--ready-log and --start-timeout go with --cmd');
  }
  if (flags.cmd !== undefined) {
    return new CommandTarget({
      command: flags.cmd,
      readyLog: flags.readyLog === undefined ? undefined : parseRegex(flags.readyLog, '--ready-log'),
      startTimeoutMs: flags.startTimeout === undefined ? undefined : parseMs(flags.startTimeout, '--start-timeout'),
    });
  }
  if (flags.target === undefined || flags.target === 'builtin') return new BuiltinTarget();
  return AddressTarget.parse(flags.target);
}

export function parseRegex(source: string, flag: string): RegExp {
  try {
    return new RegExp(source);
  } catch (err) {
    throw new UsageError(`${flag}: not a regular expression: ${(err as Error).message}`);
  }
}

export function parseMs(value: string, flag: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms <= 0) throw new UsageError(`${flag} takes a whole number of milliseconds, not "${value}"`);
  return ms;
}

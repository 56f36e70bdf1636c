import { parseDuration } from '../vocabulary/units';
import { UsageError } from './errors';

/** `--idle-timeout 30s` (or `1500ms`, or plain milliseconds): what the target declares, in ms. */
export function idleTimeoutDeclaration(flag: string | undefined): number | undefined {
  if (flag === undefined) return undefined;
  const ms = parseDuration(flag);
  if (ms === undefined || ms <= 0) throw new UsageError(`--idle-timeout takes a duration such as 30s or 1500ms, not "${flag}"`);
  return ms;
}

import { CAPTURE_MODES, type CaptureMode } from '../capture/case-capture';
import { captureUnavailable } from '../capture/tools';
import { UsageError } from './errors';

/** What the run does about packet captures, and why it captures nothing when it cannot. */
export interface RunCapture {
  /** Which captures are kept; absent, none (wire checks still capture, for themselves). */
  mode?: CaptureMode;
  /** Why the run keeps no capture although asked to, or by default in CI: one line for the summary and the reports. */
  unavailable?: string;
}

/** --capture alone means --capture failed: parseArgs knows no optional value, so the bare flag gets it here. */
export function withCaptureValue(args: readonly string[]): string[] {
  return args.flatMap((arg, i) => (arg === '--capture' && (args[i + 1] === undefined || args[i + 1].startsWith('-')) ? ['--capture', 'failed'] : [arg]));
}

/**
 * --capture failed|all|off; not given, `failed` in CI (CI=true) when the machine can capture, and
 * off elsewhere. Asked for (or in CI) on a machine that cannot (no root, no tcpdump), the run goes
 * on without captures and says why once.
 */
export function captureFlag(value: string | undefined, env: NodeJS.ProcessEnv = process.env): RunCapture {
  if (value === 'off') return {};
  if (value !== undefined && !CAPTURE_MODES.some((mode) => mode === value)) throw new UsageError(`--capture takes failed, all or off, not "${value}"`);
  const mode = (value as CaptureMode | undefined) ?? (env.CI === 'true' ? 'failed' : undefined);
  if (mode === undefined) return {};
  const unavailable = captureUnavailable();
  return unavailable ? { unavailable: `no packet captures: ${unavailable}` } : { mode };
}

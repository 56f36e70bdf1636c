import { LoadDrivers } from '../../load/drivers';
import { SuiteUsageError } from '../../verdict/failure';
import type { Capacity } from '../../vocabulary/capacity';
import { endpointFor, type StepContext } from '../context';

/** Drivers a measurement other than a ramp spreads its clients over: one per core of this machine's two is enough to not be the limit. */
export const MEASURING_DRIVERS = 2;

/**
 * Runs `use` with `count` load drivers (child processes), which are killed and reaped when it
 * ends, when the case deadline passes, and in any case when the case ends (its clean-up).
 */
export async function withDrivers<T>(ctx: StepContext, count: number, use: (drivers: LoadDrivers) => Promise<T>): Promise<T> {
  const starting = LoadDrivers.start(count);
  ctx.onCleanup(async () => (await starting.catch(() => undefined))?.stop());
  // Drivers that cannot start say nothing of the target: the case cannot be judged (exit 2).
  const drivers = await starting.catch((err: Error) => {
    throw new SuiteUsageError(`sockspec's load drivers could not start here: ${err.message}`);
  });
  const onAbort = () => void drivers.stop();
  ctx.run.signal.addEventListener('abort', onAbort, { once: true });
  try {
    return await use(drivers);
  } catch (err) {
    if (ctx.run.signal.aborted) throw new SuiteUsageError(`the case deadline passed during the measurement (${(err as Error).message}): give the case a longer timeout`);
    throw err;
  } finally {
    ctx.run.signal.removeEventListener('abort', onAbort);
    await drivers.stop();
  }
}

/** Where the measurement connects: the suite's service, a TCP one unless the step says otherwise. */
export function destination(ctx: StepContext, transport: 'tcp' | 'udp' = 'tcp'): { host: string; port: number } {
  const endpoint = endpointFor(ctx.run, undefined);
  if (endpoint.transport !== transport) throw new SuiteUsageError(`this capacity step measures ${transport.toUpperCase()} services; ${ctx.run.service} is ${endpoint.transport.toUpperCase()}`);
  return { host: endpoint.host, port: endpoint.port };
}

/** What the target declares of its capacity, for a step that checks against it (the case needs it, so it is there). */
export function declared<K extends keyof Capacity>(ctx: StepContext, field: K, need: string): NonNullable<Capacity[K]> {
  const value = endpointFor(ctx.run, undefined).capacity?.[field];
  if (value === undefined) throw new SuiteUsageError(`this step checks a declared capacity: add needs: [${need}] to the case`);
  return value as NonNullable<Capacity[K]>;
}

/** A number for a note: 12,345. */
export function count(n: number): string {
  return Math.round(n).toLocaleString('en');
}

/** A time for a note: 0.42 ms, 12 ms; none when nothing was timed. */
export function ms(value: number | undefined): string {
  return value === undefined ? 'none' : `${value < 10 ? value.toFixed(2) : Math.round(value)} ms`;
}

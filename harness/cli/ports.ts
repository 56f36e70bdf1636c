import { UsageError } from './errors';

/** A port a server listens on: 1-65535 (0, "any port", cannot be connected to). */
export function parsePort(value: string, flag: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) throw new UsageError(`${flag} takes 1-65535, not "${value}"`);
  return port;
}

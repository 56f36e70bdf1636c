import { Type } from '@sinclair/typebox';

const DURATION_PATTERN = '^[0-9]+(\\.[0-9]+)?(ms|s|m)$';

/** A duration: milliseconds as a number, or a string such as `250ms`, `2s`, `1.5s`, `1m`. */
export const Duration = Type.Union(
  [Type.Integer({ minimum: 0 }), Type.String({ pattern: DURATION_PATTERN })],
  { title: 'duration (250, "250ms", "2s", "1m")' },
);

/** A byte count: a number, or a string such as `1025`, `64KiB`, `16MiB`. */
export const Size = Type.Union(
  [Type.Integer({ minimum: 0 }), Type.String({ pattern: '^[0-9]+(B|KiB|MiB|GiB)?$' })],
  { title: 'size (1025, "64KiB", "16MiB")' },
);

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };
const SIZE_UNITS: Record<string, number> = { '': 1, B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

export function toMs(value: number | string): number {
  if (typeof value === 'number') return value;
  const match = /^([0-9.]+)(ms|s|m)$/.exec(value);
  if (!match) throw new Error(`not a duration: ${value}`);
  return Math.round(Number(match[1]) * DURATION_UNITS[match[2]]);
}

/** A duration given on the command line: `1500` (ms), `1500ms`, `2s`, `1m`; undefined if it is none. */
export function parseDuration(text: string): number | undefined {
  if (/^[0-9]+$/.test(text)) return Number(text);
  return new RegExp(DURATION_PATTERN).test(text) ? toMs(text) : undefined;
}

export function toBytes(value: number | string): number {
  if (typeof value === 'number') return value;
  const match = /^([0-9]+)(B|KiB|MiB|GiB)?$/.exec(value);
  if (!match) throw new Error(`not a size: ${value}`);
  return Number(match[1]) * SIZE_UNITS[match[2] ?? ''];
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 2 && n % 1024 ** 2 === 0) return `${n / 1024 ** 2} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} B`;
}

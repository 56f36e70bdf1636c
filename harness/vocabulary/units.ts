import { Type } from '@sinclair/typebox';
import type { KeywordDefinition } from 'ajv';

/** The longest duration anywhere: Node's timers take at most 2^31-1 ms (about 24.8 days); longer ones fire at once. */
export const MAX_DURATION_MS = 2 ** 31 - 1;
/** The largest size anywhere (a payload, a chunk, a line length): 1 GiB. */
export const MAX_SIZE_BYTES = 1024 ** 3;

const DURATION_PATTERN = '^[0-9]+(\\.[0-9]+)?(ms|s|m)$';
const SIZE_PATTERN = '^[0-9]+(B|KiB|MiB|GiB)?$';

/** A duration: milliseconds as a number, or a string such as `250ms`, `2s`, `1.5s`, `1m`; at most MAX_DURATION_MS. */
export const Duration = DescribedDuration();

/** A Duration with a description of the field that holds it. */
export function DescribedDuration(description?: string) {
  return Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: DURATION_PATTERN })], {
    title: 'duration (250, "250ms", "2s", "1m")',
    maxMs: MAX_DURATION_MS,
    ...(description === undefined ? {} : { description }),
  });
}

/** A byte count: a number, or a string such as `1025`, `64KiB`, `16MiB`; at most MAX_SIZE_BYTES. */
export const Size = Type.Union([Type.Integer({ minimum: 0 }), Type.String({ pattern: SIZE_PATTERN })], {
  title: 'size (1025, "64KiB", "16MiB")',
  maxBytes: MAX_SIZE_BYTES,
});

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };
const SIZE_UNITS: Record<string, number> = { '': 1, B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

export function toMs(value: number | string): number {
  if (typeof value === 'number') return value;
  const match = /^([0-9.]+)(ms|s|m)$/.exec(value);
  if (!match) throw new Error(`not a duration: ${value}`);
  return Math.round(Number(match[1]) * DURATION_UNITS[match[2]]);
}

/** A duration given on the command line: `1500` (ms), `1500ms`, `2s`, `1m`; undefined if it is none or too long. */
export function parseDuration(text: string): number | undefined {
  const ms = /^[0-9]+$/.test(text) ? Number(text) : new RegExp(DURATION_PATTERN).test(text) ? toMs(text) : undefined;
  return ms !== undefined && ms <= MAX_DURATION_MS ? ms : undefined;
}

export function toBytes(value: number | string): number {
  if (typeof value === 'number') return value;
  const match = /^([0-9]+)(B|KiB|MiB|GiB)?$/.exec(value);
  if (!match) throw new Error(`not a size: ${value}`);
  return Number(match[1]) * SIZE_UNITS[match[2] ?? ''];
}

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3 && n % 1024 ** 3 === 0) return `${n / 1024 ** 3} GiB`;
  if (n >= 1024 ** 2 && n % 1024 ** 2 === 0) return `${n / 1024 ** 2} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} B`;
}

/**
 * The schema keywords of the limits above, for the loader's validator: a value of the form of a
 * duration (size) that is longer (larger) than the engine honours. A value not of the form is left
 * to the form's own message.
 */
export const UNIT_KEYWORDS: KeywordDefinition[] = [
  limitKeyword('maxMs', DURATION_PATTERN, toMs, (max) => `${max} ms (about 24.8 days)`),
  limitKeyword('maxBytes', SIZE_PATTERN, toBytes, formatBytes),
];

function limitKeyword(keyword: string, pattern: string, convert: (value: number | string) => number, shown: (max: number) => string): KeywordDefinition {
  const form = new RegExp(pattern);
  const validate = (max: number, value: unknown): boolean => {
    if (!(typeof value === 'number' && Number.isInteger(value)) && !(typeof value === 'string' && form.test(value))) return true;
    if (convert(value) <= max) return true;
    validate.errors = [{ keyword, message: `${JSON.stringify(value)} is too large: at most ${shown(max)}`, params: { limit: max } }];
    return false;
  };
  validate.errors = [] as object[];
  return { keyword, schemaType: 'number', errors: true, validate } as KeywordDefinition;
}

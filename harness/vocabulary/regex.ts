import { Type } from '@sinclair/typebox';
import type { KeywordDefinition } from 'ajv';
import { substitute } from './placeholders';

/**
 * A regex a step compiles (JavaScript syntax, `u` flag), checked when the suite loads, not when
 * the case runs. `placeholders`: the step fills {{name}} placeholders in first, so the check
 * compiles it with each replaced by a plain word.
 */
export function Regex(description: string, options: { placeholders: boolean }) {
  return Type.String({ description, regex: options.placeholders ? 'with-placeholders' : 'plain' });
}

export const REGEX_KEYWORD: KeywordDefinition = (() => {
  const validate = (kind: string, value: unknown): boolean => {
    if (typeof value !== 'string') return true;
    try {
      new RegExp(kind === 'with-placeholders' ? substitute(value, () => 'x') : value, 'u');
      return true;
    } catch (err) {
      validate.errors = [{ keyword: 'regex', message: `not a valid regex: ${(err as Error).message.replace(/^Invalid regular expression: /, '')}`, params: {} }];
      return false;
    }
  };
  validate.errors = [] as object[];
  return { keyword: 'regex', schemaType: 'string', errors: true, validate } as KeywordDefinition;
})();

/**
 * `{{name}}` placeholders in the text fields of the line steps. Double braces, because single ones
 * are regex quantifiers (`x{1020}`). Filled in by steps/support/template.ts when a step runs; a leaf module, so
 * the suite loader can check a regex with placeholders without what fills them.
 */
const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9_-]*)\s*\}\}/g;

/** Replaces every {{name}} with `value(name)`; for code that fills placeholders without a case (the bench, the loader). */
export function substitute(template: string, value: (name: string) => string): string {
  return template.replace(PLACEHOLDER, (_, name: string) => value(name));
}

import type { StepContext } from '../context';
import { SuiteUsageError } from '../../verdict/failure';
import { substitute } from '../../vocabulary/placeholders';

export { substitute };

/**
 * Fills `{{name}}` placeholders (vocabulary/placeholders.ts). A name is, in order: one the step supplies
 * (`{{i}}` in send-lines, `{{conn}}`), `{{client}}` (the client number inside `parallel`), or a
 * variable of the run's profile (`{{message}}`; see profile.ts), which is only loaded when a case
 * uses one.
 */
export function expand(template: string, ctx: StepContext, own: Readonly<Record<string, string>> = {}): string {
  return substitute(template, (name) => own[name] ?? builtin(name, ctx) ?? profileVariable(name, template, ctx));
}

function builtin(name: string, ctx: StepContext): string | undefined {
  if (name !== 'client') return undefined;
  if (ctx.scope.client === undefined) throw new SuiteUsageError('{{client}} is the client number of a parallel step; this step is not inside one');
  return String(ctx.scope.client);
}

function profileVariable(name: string, template: string, ctx: StepContext): string {
  const profile = ctx.run.profile();
  const value = profile.vars[name];
  if (value === undefined) {
    const known = ['client', 'i (send-lines)', 'conn', ...Object.keys(profile.vars)].join(', ');
    throw new SuiteUsageError(`unknown placeholder {{${name}}} in ${JSON.stringify(template)} (profile ${profile.profile}); known: ${known}`);
  }
  return value;
}

/** A connection's name as a placeholder value: its transcript label with `#7` made `-7`, so it is a valid chat name. */
export function connPlaceholder(ctx: StepContext, conn: string): Record<string, string> {
  return { conn: ctx.scope.label(conn).replace('#', '-') };
}

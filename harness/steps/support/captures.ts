import { Type } from '@sinclair/typebox';
import type { CaseRun, StepContext } from '../context';
import { SuiteUsageError } from '../../verdict/failure';

/**
 * Lines a collect-lines step kept, by name, for later steps to compare. A case's captures live as
 * long as its run: keyed by the CaseRun, which the case runner drops when the case ends.
 *
 * Inside `parallel` a capture is stored under the client's label (`heard#7`, as connections are),
 * so every client can use the same name. A later step names either one capture, or a whole family:
 * `heard` outside the parallel means heard#1 ... heard#N.
 */
const STORE = new WeakMap<CaseRun, Map<string, readonly string[]>>();

export const CaptureName = Type.String({ pattern: '^[A-Za-z][A-Za-z0-9_-]*$', description: 'a capture made by collect-lines' });

export interface Capture {
  readonly label: string;
  readonly lines: readonly string[];
}

/** Stores (or replaces) a capture; returns the label it is stored under. */
export function saveCapture(ctx: StepContext, name: string, lines: readonly string[]): string {
  const label = ctx.scope.label(name);
  captures(ctx.run).set(label, lines);
  return label;
}

/** This scope's capture of that name if there is one, else every client's, in client order. */
export function capturesNamed(ctx: StepContext, name: string): Capture[] {
  const store = captures(ctx.run);
  const own = ctx.scope.label(name);
  const exact = store.get(own);
  if (exact) return [{ label: own, lines: exact }];
  const family = [...store.entries()]
    .map(([label, lines]) => ({ label, lines, client: clientOf(label, name) }))
    .filter((c) => c.client !== undefined)
    .sort((a, b) => (a.client as number) - (b.client as number));
  if (family.length === 0) {
    const known = [...store.keys()];
    throw new SuiteUsageError(`no capture named "${name}" (captures: ${known.length ? summarise(known) : 'none'}); collect-lines with as: ${name} must come first`);
  }
  return family.map(({ label, lines }) => ({ label, lines }));
}

function captures(run: CaseRun): Map<string, readonly string[]> {
  let store = STORE.get(run);
  if (!store) STORE.set(run, (store = new Map()));
  return store;
}

function clientOf(label: string, name: string): number | undefined {
  const match = /^(.*)#(\d+)$/.exec(label);
  return match && match[1] === name ? Number(match[2]) : undefined;
}

function summarise(labels: string[]): string {
  return labels.length > 6 ? `${labels.slice(0, 6).join(', ')}, ... (${labels.length})` : labels.join(', ');
}

import type { Level } from './schema';

/**
 * A case's jest test name: `ID: title`, and the level when it is not `must`. CI systems keep a
 * test's history by its name, so it never holds what changes from run to run (a skip reason).
 */
export function testTitle(id: string, title: string, level: Level = 'must'): string {
  return `${id}: ${title}${level === 'must' ? '' : ` [${level}]`}`;
}

/**
 * Whether jest's --testNamePattern (sockspec's --filter) selects a case: jest matches the
 * describe and test names joined by a space, ignoring case.
 */
export function filterSelects(filter: string | undefined, suite: string, caseTitle: string): boolean {
  return filter === undefined || new RegExp(filter, 'i').test(`${suite} ${caseTitle}`);
}

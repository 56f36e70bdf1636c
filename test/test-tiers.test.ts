import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import config, { SLOW_PROOFS } from '../jest.config';

/*
 * The tiers of the project's own tests: `npm test` is the quick loop, `npm run test:full` runs
 * everything, and CI runs exactly what the README says it runs.
 */

const ROOT = path.join(__dirname, '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;

test("the README's second command is the one .ci/run runs, and it runs every tier", () => {
  const opening = /```sh\n([^`]*)```/.exec(read('README.md'))?.[1].split('\n') ?? [];
  const second = opening[1]?.replace(/\s+#.*$/, '');
  const ciCommands = read('.ci/run')
    .split('\n')
    .filter((line) => line.trim() && !line.trim().startsWith('#'));
  expect({ second, ciLast: ciCommands.at(-1) }).toEqual({ second: 'npm run test:full', ciLast: 'npm run test:full' });
  expect(scripts['test:full']).toBe('npm run build && jest');
  expect(opening[2]).toMatch(/^npm test +# the quick loop/);
});

test('npm test runs the suites and the unit tests, not the slow proofs', () => {
  expect(scripts.test).toBe('npm run build && jest --selectProjects suites unit');
  const names = (config.projects as { displayName?: string }[]).map((p) => p.displayName);
  expect(names).toEqual(['suites', 'unit', 'slow']);
});

test('every slow proof is a test file, says why it is slow, and runs in the slow tier only', () => {
  const testFiles = readdirSync(path.join(ROOT, 'test')).filter((f) => f.endsWith('.test.ts'));
  const missing = Object.keys(SLOW_PROOFS).filter((file) => !existsSync(path.join(ROOT, 'test', file)));
  expect(missing).toEqual([]);
  expect(Object.entries(SLOW_PROOFS).filter(([, why]) => why.length < 20)).toEqual([]);
  const [, unit, slow] = config.projects as { testMatch: string[]; testPathIgnorePatterns: string[] }[];
  const inSlow = slow.testMatch.map((pattern) => path.basename(pattern)).sort();
  expect(inSlow).toEqual(Object.keys(SLOW_PROOFS).sort());
  // The unit tier leaves out exactly those; every other test file is in it.
  const ignored = testFiles.filter((file) => unit.testPathIgnorePatterns.some((pattern) => new RegExp(pattern.replace('<rootDir>', ROOT)).test(path.join(ROOT, 'test', file))));
  expect(ignored.sort()).toEqual(inSlow);
});

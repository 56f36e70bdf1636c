import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './cli';

const JEST_BIN = path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
const API = path.join(ROOT, 'dist', 'harness', 'api.js');

export interface JestJson {
  success: boolean;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  testResults: { assertionResults: { title: string; status: string }[] }[];
}

/**
 * A project's own `npm test` in `dir`: plain jest, whose one test file defines a suite file's tests
 * with the built package (`defineSuiteTests(file, options)`). jest's console output goes to stderr.
 */
export function projectJest(dir: string, suiteFile: string, options: object): Promise<{ code: number; stderr: string; json: JestJson }> {
  writeFileSync(path.join(dir, 'jest.config.js'), "module.exports = { testEnvironment: 'node', transform: {} };\n");
  writeFileSync(path.join(dir, 'conformance.test.js'), `require(${JSON.stringify(API)}).defineSuiteTests(${JSON.stringify(suiteFile)}, ${JSON.stringify(options)});\n`);
  const out = path.join(dir, 'jest.json');
  return new Promise((resolve) => {
    execFile(process.execPath, [JEST_BIN, '--ci', '--json', `--outputFile=${out}`], { cwd: dir, timeout: 60_000 }, (error, _stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stderr, json: JSON.parse(readFileSync(out, 'utf8')) as JestJson }),
    );
  });
}

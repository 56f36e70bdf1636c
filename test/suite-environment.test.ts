import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT, sockspec, tempDir } from './support/cli';
import transformer from '../harness/jest/yaml-transform';

const PROBE = path.join(ROOT, 'test', 'support', 'jest-compilations.js');
const SUITES = ['chat-relay', 'echo-udp', 'tls-mtls'];

/** The modules jest compiled into a test file's sandbox during a run, per process: `pid file` lines. */
function compilations(file: string): Map<string, string[]> {
  const byProcess = new Map<string, string[]>();
  for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const [pid, compiled] = [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)];
    byProcess.set(pid, [...(byProcess.get(pid) ?? []), compiled]);
  }
  return byProcess;
}

describe('suite files share the harness their jest worker loaded (harness/jest/suite-environment.ts)', () => {
  let dir: ReturnType<typeof tempDir>;
  beforeAll(() => (dir = tempDir()));
  afterAll(() => dir.remove());

  test.each([1, 2])('with %i worker(s), each suite file is compiled and no harness module is compiled per file', async (workers) => {
    const log = path.join(dir.path, `compilations-${workers}.txt`);
    const suiteArgs = SUITES.flatMap((suite) => ['--suite', suite]);
    const result = await sockspec(['run', ...suiteArgs, '--workers', String(workers), '--reports', path.join(dir.path, `reports-${workers}`)], {
      env: { NODE_OPTIONS: `--require ${PROBE}`, JEST_COMPILATIONS_FILE: log },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const compiled = [...compilations(log).values()].flat();
    // The probe sees jest's compilations: each suite file's...
    expect([...new Set(compiled.filter((file) => file.endsWith('.suite.yaml')))].sort()).toEqual(SUITES.map((suite) => path.join(ROOT, 'suites', `${suite}.suite.yaml`)));
    // ...and the harness, loaded by Node's require with the test environment, is never among them
    // (a suite file that required it would have jest compile every harness module again).
    expect(compiled.filter((file) => file.includes(`${path.sep}harness${path.sep}`))).toEqual([]);
  }, 60_000);
});

describe("the YAML transform's cache key (jest keeps a transform's output by it)", () => {
  test('is a hash of the output: it changes with the suite file, not with its text (the runtime reads the file itself)', () => {
    const key = (source: string, file: string) => transformer.getCacheKey(source, file);
    expect(key('cases: []', '/a.suite.yaml')).toBe(key('cases: [changed]', '/a.suite.yaml'));
    expect(key('cases: []', '/a.suite.yaml')).not.toBe(key('cases: []', '/b.suite.yaml'));
    expect(transformer.process('', '/a.suite.yaml').code).toContain('"/a.suite.yaml"');
  });
});

import { execFile } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ROOT, tempDir } from './support/cli';

const run = promisify(execFile);
const NPM = 'npm';

/**
 * Adoption as a user would do it: pack sockspec, install the tarball into a copy of the example
 * project (no link to this checkout), and run that project's own `npm test`.
 */
describe('the packed package in a fresh project', () => {
  test('npm pack, install the tarball, npm test: the example passes and writes JUnit', async () => {
    const work = tempDir();
    try {
      const { stdout } = await run(NPM, ['pack', '--silent', '--pack-destination', work.path], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
      const tarball = path.join(work.path, stdout.trim().split('\n').pop() as string);
      const project = path.join(work.path, 'project');
      cpSync(path.join(ROOT, 'examples', 'echo-server'), project, { recursive: true, filter: (src) => !/node_modules|reports/.test(src) });
      const manifest = JSON.parse(readFileSync(path.join(project, 'package.json'), 'utf8'));
      manifest.devDependencies.sockspec = `file:${tarball}`;
      writeFileSync(path.join(project, 'package.json'), JSON.stringify(manifest, null, 2));
      await run(NPM, ['install', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: project, maxBuffer: 16 * 1024 * 1024 });
      const test = await run(NPM, ['test'], { cwd: project, maxBuffer: 16 * 1024 * 1024 }).catch((err: { stdout: string; stderr: string }) => {
        throw new Error(`the example's npm test failed:\n${err.stdout}\n${err.stderr}`);
      });
      expect(test.stderr).toMatch(/Tests:\s+\d+ passed, \d+ total/);
      const junit = readFileSync(path.join(project, 'reports', 'junit.xml'), 'utf8');
      expect(junit).toMatch(/<testcase classname="echo-tcp" name="round-trip: /);
      expect(junit).toMatch(/<testcase classname="lifecycle" name="restart-after-active-close: /);
    } finally {
      work.remove();
    }
  }, 300_000);
});

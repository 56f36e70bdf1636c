import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describeWithCapture } from './support/capture';
import { ROOT, tempDir } from './support/cli';

const NOISY = path.join(ROOT, 'fixtures', 'peers', 'noisy-echo.py');

/** A project's own `npm test`, outside CI: plain jest on a test file that calls defineConformanceTests(), two cases of echo-tcp (the noisy echo fails size-1025). */
function projectJest(dir: string): Promise<{ code: number; output: string }> {
  writeFileSync(path.join(dir, 'jest.config.js'), 'module.exports = { transform: {} };\n');
  writeFileSync(path.join(dir, 'conformance.test.js'), `require(${JSON.stringify(path.join(ROOT, 'dist', 'harness', 'api.js'))}).defineConformanceTests();\n`);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci', '--watchman=false', '--rootDir', dir, '-t', 'echo-tcp (round-trip|size-1025):'],
      { cwd: dir, timeout: 60_000, env: { ...process.env, CI: 'false', NO_COLOR: '1', FORCE_COLOR: '0' } },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, output: stdout + stderr }),
    );
  });
}

describeWithCapture("captures in a project's own jest (sockspec.config.json)", () => {
  test('capture failed: the failed case keeps its capture in captureDir, and its message names it; the passed case keeps none', async () => {
    const project = tempDir();
    try {
      writeFileSync(path.join(project.path, 'sockspec.config.json'), JSON.stringify({ suites: ['echo-tcp'], cmd: `python3 ${NOISY} {port}`, capture: 'failed', captureDir: 'pcaps' }));
      const { code, output } = await projectJest(project.path);
      expect(code).toBe(1);
      const kept = path.join(project.path, 'pcaps', 'echo-tcp', 'size-1025.pcap');
      expect(output).toContain(`packets: ${path.relative(project.path, kept)}`);
      expect(existsSync(kept)).toBe(true);
      expect(existsSync(path.join(project.path, 'pcaps', 'echo-tcp', 'round-trip.pcap'))).toBe(false);
    } finally {
      project.remove();
    }
  }, 90_000);

  test('capture off (the default outside CI): a failed case keeps nothing and names none', async () => {
    const project = tempDir();
    try {
      writeFileSync(path.join(project.path, 'sockspec.config.json'), JSON.stringify({ suites: ['echo-tcp'], cmd: `python3 ${NOISY} {port}`, captureDir: 'pcaps' }));
      const { code, output } = await projectJest(project.path);
      expect(code).toBe(1);
      expect(output).not.toContain('packets:');
      expect(existsSync(path.join(project.path, 'pcaps'))).toBe(false);
    } finally {
      project.remove();
    }
  }, 90_000);
});

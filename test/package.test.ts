import { execFile } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { footprint, describeFootprint, INSTALL_BUDGET, npmProject, packSockspec, type Packed } from '../bench/install';
import { ROOT, tempDir, type CliResult } from './support/cli';
import { loadSuite } from '../harness/suite/load';

const execFileAsync = promisify(execFile);
const OUTPUT_LIMIT = 16 * 1024 * 1024;
const PNPM = path.join(ROOT, 'node_modules', '.bin', 'pnpm');
const ECHO_SERVER = path.join(ROOT, 'examples', 'echo-server');
const ECHO_TCP_RUN = ['run', '--suite', 'echo-tcp', '--cmd', 'node server.js {port}'];
/** Every case of the bundled echo-tcp suite runs: none needs what a plain command lacks. */
const ECHO_TCP_CASES = loadSuite(path.join(ROOT, 'suites', 'echo-tcp.suite.yaml')).cases.length;

/**
 * Adoption as users do it: sockspec is packed once, and the tarball (no link to this checkout) is
 * installed the ways users install it: npm and pnpm projects, a global install, npx without an
 * install. The projects install from the npm registry at the same time, in beforeAll.
 */
describe('the packed package, installed (slow: installs from the npm registry)', () => {
  const work = tempDir();
  const at = (name: string) => path.join(work.path, name);
  // pnpm keeps its store, cache and state in the temporary folder, not in the user's home.
  const pnpmEnv = { XDG_DATA_HOME: at('pnpm-home'), XDG_CACHE_HOME: at('pnpm-home'), XDG_STATE_HOME: at('pnpm-home'), XDG_CONFIG_HOME: at('pnpm-home') };
  // npx keeps what it installs in the cache it is given: a temporary one, removed with the rest.
  const npxEnv = { npm_config_cache: at('npx-cache') };
  let packed: Packed;

  beforeAll(async () => {
    packed = await packSockspec(ROOT, work.path);
    await Promise.all([
      npmProject(at('npm'), [packed.tarball]).then(() => withEchoServer(at('npm'))),
      npmProject(at('jest-only'), [`jest@${peerRange('jest')}`]),
      npmProject(at('jest-29'), ['jest@29', packed.tarball]).then(() => withEchoServer(at('jest-29'))),
      exampleProject(at('example-npm'), packed.tarball).then((dir) => command(dir, 'npm', ['install', '--no-audit', '--no-fund'])).then(expectPass),
      exampleProject(at('example-pnpm'), packed.tarball).then((dir) => command(dir, PNPM, ['install', '--config.strict-dep-builds=false'], pnpmEnv)).then(expectPass),
      command(work.path, 'npm', ['install', '--global', '--prefix', at('global'), '--no-audit', '--no-fund', packed.tarball]).then(expectPass),
      // npx installs on first use; the test's own npx call below then finds it installed.
      command(withEchoServer(at('plain')), 'npx', ['--yes', '--package', packed.tarball, 'sockspec', '--version'], npxEnv).then(expectPass),
    ]);
  }, 600_000);

  afterAll(() => work.remove());

  test('the tarball holds the built harness, the suites, the examples and what the README links to; no tests, fixtures or maps', () => {
    const files = new Set(packed.files);
    for (const file of ['bin/sockspec.js', 'dist/harness/cli/main.js', 'dist/harness/api.d.ts', 'suites/echo-tcp.suite.yaml', 'examples/echo-server/server.js']) {
      expect(files).toContain(file);
    }
    for (const link of readmeLinks()) expect(packed.files.some((file) => file === link || file.startsWith(`${link}/`))).toBe(true);
    expect(packed.files.filter((file) => /^(test|fixtures|bench|dist\/(test|fixtures|bench))\/|\.map$|\/(node_modules|reports)\//.test(file))).toEqual([]);
  });

  test('npm: echo-tcp against a command runs every case and passes', async () => {
    const result = await command(at('npm'), 'npx', ['sockspec', ...ECHO_TCP_RUN, '--reports', 'echo-tcp']);
    expectPass(result);
    expect(totals(at('npm'), 'echo-tcp')).toMatchObject({ cases: ECHO_TCP_CASES, passed: ECHO_TCP_CASES });
  }, 120_000);

  test("npm: a suite file of the project's own (outside node_modules) runs", async () => {
    mkdirSync(path.join(at('npm'), 'conformance'), { recursive: true });
    copyFileSync(path.join(ROOT, 'suites', 'echo-tcp.suite.yaml'), path.join(at('npm'), 'conformance', 'mine.suite.yaml'));
    const result = await command(at('npm'), 'npx', ['sockspec', 'run', '--suite', 'conformance/mine.suite.yaml', '--cmd', 'node server.js {port}', '--reports', 'mine']);
    expectPass(result);
    expect(totals(at('npm'), 'mine')).toMatchObject({ cases: ECHO_TCP_CASES, passed: ECHO_TCP_CASES });
  }, 120_000);

  test('npm: the default run runs every listed case of every bundled suite against the builtin servers', async () => {
    const listed = await command(at('npm'), 'npx', ['sockspec', 'list']);
    const cases = [...listed.stdout.matchAll(/, (\d+) cases\)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
    expect(cases).toBeGreaterThan(ECHO_TCP_CASES);
    const result = await command(at('npm'), 'npx', ['sockspec', 'run', '--reports', 'default']);
    expectPass(result);
    const report = results(at('npm'), 'default');
    expect(report.totals.cases).toBe(cases);
    // A case this machine cannot run (no nftables, no netem) is skipped with its reason, never silently.
    const skipped = report.cases.filter((c) => c.verdict === 'skip');
    expect(skipped.filter((c) => !c.reason)).toEqual([]);
    expect(report.totals.failed).toBe(0);
    expect(report.totals.skipped).toBe(skipped.length);
  }, 300_000);

  test('npm: a targets file with the builtin servers and a command runs every case on both', async () => {
    writeFileSync(path.join(at('npm'), 'targets.yaml'), 'targets:\n  - name: reference\n    target: builtin\n  - name: mine\n    cmd: "node server.js {port}"\n');
    const result = await command(at('npm'), 'npx', ['sockspec', 'run', '--targets', 'targets.yaml', '--suite', 'echo-tcp', '--reports', 'matrix']);
    expectPass(result);
    for (const name of ['reference', 'mine']) expect(totals(at('npm'), path.join('matrix', name))).toMatchObject({ cases: ECHO_TCP_CASES, passed: ECHO_TCP_CASES });
  }, 180_000);

  test('npm: without testcontainers (an optional peer), --image stops with one line, exit 2', async () => {
    expect(existsSync(path.join(at('npm'), 'node_modules', 'testcontainers'))).toBe(false);
    const result = await command(at('npm'), 'npx', ['sockspec', 'run', '--suite', 'echo-tcp', '--image', 'x', '--port', '7']);
    expect(result).toEqual({ code: 2, stdout: '', stderr: 'error: --image needs the testcontainers package (npm i -D testcontainers@11)\n' });
  }, 60_000);

  test('npm: without testcontainers, an image in sockspec.config.json fails its test file with that sentence', async () => {
    const project = path.join(at('npm'), 'image-config');
    mkdirSync(path.join(project, 'test'), { recursive: true });
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'image-config', private: true }));
    writeFileSync(path.join(project, 'sockspec.config.json'), JSON.stringify({ suites: ['echo-tcp'], image: 'x', services: { 'echo-tcp': 7 } }));
    writeFileSync(path.join(project, 'test', 'conformance.test.js'), "require('sockspec').defineConformanceTests();\n");
    const result = await command(project, 'npx', ['jest', '--rootDir', '.']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('a container target needs the testcontainers package (npm i -D testcontainers@11)');
  }, 60_000);

  test(`npm: what sockspec adds to a project on top of jest stays within ${INSTALL_BUDGET.mb} MB and ${INSTALL_BUDGET.packages} packages`, () => {
    const withSockspec = footprint(path.join(at('npm'), 'node_modules'));
    const jest = footprint(path.join(at('jest-only'), 'node_modules'));
    const added = { bytes: withSockspec.bytes - jest.bytes, packages: withSockspec.packages - jest.packages };
    console.log(`installed: sockspec with jest ${describeFootprint(withSockspec)}; jest alone ${describeFootprint(jest)}; sockspec adds ${describeFootprint(added)}`);
    expect(added.bytes).toBeLessThanOrEqual(INSTALL_BUDGET.mb * 1_000_000);
    expect(added.packages).toBeLessThanOrEqual(INSTALL_BUDGET.packages);
  });

  test("npm: the example project's own npm test (defineConformanceTests) passes and writes JUnit", async () => {
    const result = await command(at('example-npm'), 'npm', ['test']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/Tests:\s+\d+ passed, \d+ total/);
    const junit = readFileSync(path.join(at('example-npm'), 'reports', 'junit.xml'), 'utf8');
    expect(junit).toMatch(/<testcase classname="echo-tcp" name="round-trip: /);
    expect(junit).toMatch(/<testcase classname="lifecycle" name="restart-after-active-close: /);
  }, 180_000);

  test('pnpm: echo-tcp against a command runs every case, and the example project finds jest for pnpm test', async () => {
    const result = await command(at('example-pnpm'), PNPM, ['exec', 'sockspec', ...ECHO_TCP_RUN, '--reports', 'echo-tcp'], pnpmEnv);
    expectPass(result);
    expect(totals(at('example-pnpm'), 'echo-tcp')).toMatchObject({ cases: ECHO_TCP_CASES, passed: ECHO_TCP_CASES });
    const test = await command(at('example-pnpm'), PNPM, ['test'], pnpmEnv);
    expect(test.code).toBe(0);
    expect(test.stderr).toMatch(/Tests:\s+\d+ passed, \d+ total/);
  }, 240_000);

  test('npm: a project on jest 29 keeps its jest, and echo-tcp against a command runs every case', async () => {
    const jest = await command(at('jest-29'), 'npx', ['jest', '--version']);
    expect(jest.stdout).toMatch(/^29\./);
    const result = await command(at('jest-29'), 'npx', ['sockspec', ...ECHO_TCP_RUN, '--reports', 'echo-tcp']);
    expectPass(result);
    expect(totals(at('jest-29'), 'echo-tcp')).toMatchObject({ cases: ECHO_TCP_CASES, passed: ECHO_TCP_CASES });
  }, 120_000);

  test('a global install runs echo-tcp against a command', async () => {
    const result = await command(at('plain'), path.join(at('global'), 'bin', 'sockspec'), [...ECHO_TCP_RUN, '--reports', 'global']);
    expectPass(result);
    expect(totals(at('plain'), 'global')).toMatchObject({ cases: ECHO_TCP_CASES, passed: ECHO_TCP_CASES });
  }, 120_000);

  test('npx without an install runs echo-tcp against a command', async () => {
    const result = await command(at('plain'), 'npx', ['--yes', '--package', packed.tarball, 'sockspec', ...ECHO_TCP_RUN, '--reports', 'npx'], npxEnv);
    expectPass(result);
    expect(totals(at('plain'), 'npx')).toMatchObject({ cases: ECHO_TCP_CASES, passed: ECHO_TCP_CASES });
  }, 120_000);
});

/** `dir`, created if need be, with the example's echo server in it. */
function withEchoServer(dir: string): string {
  mkdirSync(dir, { recursive: true });
  copyFileSync(path.join(ECHO_SERVER, 'server.js'), path.join(dir, 'server.js'));
  return dir;
}

/** A copy of the example project that depends on the tarball instead of this checkout. */
async function exampleProject(dir: string, tarball: string): Promise<string> {
  cpSync(ECHO_SERVER, dir, { recursive: true, filter: (src) => !/node_modules|reports/.test(path.relative(ECHO_SERVER, src)) });
  const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  manifest.devDependencies.sockspec = `file:${tarball}`;
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

/** Runs a program in `cwd`; a failure is a result to assert on, not an exception. */
async function command(cwd: string, file: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await execFileAsync(file, args, { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, maxBuffer: OUTPUT_LIMIT });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: number | string; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

function expectPass(result: CliResult): void {
  if (result.code !== 0) throw new Error(`exit ${result.code}:\n${result.stdout}\n${result.stderr}`);
}

interface Results {
  totals: { cases: number; passed: number; failed: number; skipped: number };
  cases: { id: string; verdict: string; reason?: string }[];
}

function results(project: string, reports: string): Results {
  return JSON.parse(readFileSync(path.join(project, reports, 'results.json'), 'utf8'));
}

function totals(project: string, reports: string): Results['totals'] {
  return results(project, reports).totals;
}

function peerRange(name: string): string {
  return JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).peerDependencies[name];
}

/** The README's relative links: the files users are pointed to. */
function readmeLinks(): string[] {
  const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(/\]\(([^)#:]+)(#[^)]*)?\)/g)].map((m) => m[1].replace(/\/$/, ''));
}

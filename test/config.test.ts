import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { defineConformanceTests } from '../harness/api';
import { defineSuiteTests } from '../harness/jest/suite-runtime';
import { resolveSuiteFiles } from '../harness/cli/suite-files';
import { UsageError } from '../harness/cli/errors';
import { NEEDS } from '../harness/vocabulary/needs';
import { SuiteError } from '../harness/suite/suite-error';
import { ProjectConfigSchema } from '../harness/suite/config-schema';
import { captureUnavailable } from '../harness/capture/tools';
import { ROOT, tempDir } from './support/cli';

// The suites a config names are handed to defineSuiteTests; here it only records the calls.
jest.mock('../harness/jest/suite-runtime', () => ({ defineSuiteTests: jest.fn() }));

const CONFIGS = path.join(ROOT, 'fixtures', 'config');
/** Every suite in suites/, as the messages list them: the folder is the list, so a new suite needs no edit here. */
const BUNDLED = readdirSync(path.join(ROOT, 'suites'))
  .filter((file) => file.endsWith('.suite.yaml'))
  .map((file) => file.replace(/\.suite\.yaml$/, ''))
  .sort()
  .join(', ');

// A config's capture defaults to `failed` in CI (CI=true): each test starts outside CI.
const savedCI = process.env.CI;
beforeEach(() => delete process.env.CI);
afterAll(() => {
  if (savedCI !== undefined) process.env.CI = savedCI;
});

function problemsOf(name: string): string[] {
  try {
    defineConformanceTests(path.join(CONFIGS, name));
  } catch (err) {
    if (err instanceof SuiteError) return err.message.split('\n');
    throw err;
  }
  throw new Error(`${name} was accepted`);
}

describe('sockspec.config.json is checked like a suite: each problem at file:line:column', () => {
  test.each([
    ['unknown-key.json', ['unknown-key.json:4:3: the config file: unknown field "idleTimeout" (did you mean "idleTimeoutMs"?)']],
    ['image-without-services.json', ['image-without-services.json:3:3: image: needs "services" too']],
    ['cmd-and-image.json', ['cmd-and-image.json:1:1: the config file: give only one of cmd, image, client; found cmd and image']],
    ['syntax.json', ['syntax.json:3:34: JSON syntax: Unexpected , in flow map']],
    ['ready-log.json', ['ready-log.json:4:15: readyLog: not a regular expression: Invalid regular expression: /ready (/: Unterminated group']],
    ['host-not-loopback.json', ['host-not-loopback.json:4:11: host: takes a loopback address (127.0.0.1, ::1, any 127.x.y.z), not "example.com"']],
    ['host-with-image.json', ['host-with-image.json:5:3: host: needs "cmd" too']],
    [
      'bad-values.json',
      [
        'bad-values.json:2:13: suites: must not be empty',
        '  fixtures/config/bad-values.json:4:17: services: unknown field "echo-tpc" (did you mean "echo-tcp"?)',
        '  fixtures/config/bad-values.json:4:40: services.chat: must be <= 65535',
        '  fixtures/config/bad-values.json:5:21: startTimeoutMs: must be an integer',
        '  fixtures/config/bad-values.json:6:13: strict: must be a boolean',
        '  … and 2 more',
      ],
    ],
  ])('%s', (name, lines) => {
    expect(problemsOf(name)).toEqual([`fixtures/config/${lines[0]}`, ...lines.slice(1)]);
  });

  test('a misspelt suite is told the closest bundled suite and the list; a missing suite file is named', () => {
    expect(problemsOf('misspelt-suite.json')).toEqual([
      `fixtures/config/misspelt-suite.json:2:14: suites[0]: no bundled suite named "echo-tpc" (did you mean "echo-tcp"?); bundled suites: ${BUNDLED} (or a *.suite.yaml file, relative to this file)`,
      '  fixtures/config/misspelt-suite.json:2:39: suites[2]: no such file: fixtures/config/mine.suite.yaml',
    ]);
  });

  test('a valid config runs each suite it names with its server, idle timeout, strict and seed', () => {
    const define = jest.mocked(defineSuiteTests);
    define.mockClear();
    defineConformanceTests(path.join(CONFIGS, 'valid.json'));
    expect(define.mock.calls.map(([file]) => path.relative(ROOT, file))).toEqual([path.join('suites', 'echo-tcp.suite.yaml'), path.join('suites', 'echo-udp.suite.yaml')]);
    const [, options] = define.mock.calls[0];
    expect(options).toEqual({
      target: {
        kind: 'command',
        command: 'node server.js {port}',
        readyLog: 'listening on \\d+',
        startTimeoutMs: 5000,
        declared: { tls: { servername: 'localhost', alpn: ['h2', 'http/1.1'] }, idleTimeoutMs: 2000 },
      },
      strict: true,
      seed: 42,
    });
  });
});

test('host, as --host and a targets file\'s host: the loopback address a command is reached at', () => {
  const define = jest.mocked(defineSuiteTests);
  define.mockClear();
  defineConformanceTests(path.join(CONFIGS, 'host.json'));
  expect(define.mock.calls[0][1]).toEqual({ target: { kind: 'command', command: 'node server.js {port}', host: '::1', declared: {} }, strict: undefined, seed: undefined });
});

test('timeScale and noTimeouts, as --time-scale and --no-timeouts: checked, then handed to each suite file', () => {
  expect(problemsOf('time-scale.json')).toEqual(['fixtures/config/time-scale.json:4:16: timeScale: must be > 0', '  fixtures/config/time-scale.json:5:17: noTimeouts: must be a boolean']);
  const define = jest.mocked(defineSuiteTests);
  define.mockClear();
  defineConformanceTests(path.join(CONFIGS, 'time-scale-valid.json'));
  expect(define.mock.calls[0][1]).toMatchObject({ timeScale: 2.5, noTimeouts: true });
});

describe('capture and captureDir, as --capture and the reports folder', () => {
  const configured = (fields: object) => {
    const project = tempDir();
    const file = path.join(project.path, 'sockspec.config.json');
    writeFileSync(file, JSON.stringify({ suites: ['echo-tcp'], cmd: 'node server.js {port}', ...fields }));
    const define = jest.mocked(defineSuiteTests);
    define.mockClear();
    defineConformanceTests(file);
    project.remove();
    return { options: define.mock.calls[0][1], folder: project.path };
  };

  test('kept in captureDir, relative to the config file; reports/captures by default; off keeps none, even in CI', () => {
    // On a machine that cannot capture, the cases run uncaptured (the reason is printed once).
    const can = captureUnavailable() === undefined;
    const all = configured({ capture: 'all', captureDir: 'out/pcaps' });
    expect(all.options).toMatchObject(can ? { capture: 'all', captureDir: path.join(all.folder, 'out', 'pcaps') } : {});
    const failed = configured({ capture: 'failed' });
    expect(failed.options).toMatchObject(can ? { capture: 'failed', captureDir: path.join(failed.folder, 'reports', 'captures') } : {});
    expect(configured({}).options?.capture).toBeUndefined();
    process.env.CI = 'true';
    expect(configured({}).options?.capture).toBe(can ? 'failed' : undefined);
    expect(configured({ capture: 'off' }).options?.capture).toBeUndefined();
  });

  test('a capture that is not failed, all or off is refused at its line and column', () => {
    const project = tempDir();
    const file = path.join(project.path, 'sockspec.config.json');
    writeFileSync(file, '{\n  "suites": ["echo-tcp"],\n  "cmd": "node server.js {port}",\n  "capture": "always"\n}\n');
    expect(() => defineConformanceTests(file)).toThrow(/sockspec\.config\.json:4:14: capture: /);
    project.remove();
  });
});

test('docs/ci.md documents every field of sockspec.config.json, in backticks', () => {
  const text = readFileSync(path.join(ROOT, 'docs', 'ci.md'), 'utf8');
  expect(Object.keys(ProjectConfigSchema.properties).filter((field) => !text.includes(`\`${field}\``))).toEqual([]);
});

test('on the command line too, a misspelt suite is told the closest bundled suite and the list', () => {
  let error: unknown;
  try {
    resolveSuiteFiles(['echo-tpc']);
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(UsageError);
  expect((error as UsageError).message).toBe('no suite named "echo-tpc" and no such file (did you mean "echo-tcp"?)');
  expect((error as UsageError).hint).toBe(`bundled suites: ${BUNDLED}`);
});

test('a skip reason says how to declare what the case needs on the command line, in sockspec.config.json and in a targets file, on one line', () => {
  for (const text of Object.values(NEEDS)) {
    expect(text).toMatch(/--[a-z-]+\b.*sockspec\.config\.json.* targets file/);
    expect(text).not.toContain('\n');
  }
});

/** Runs the project's own jest, as `npm test` there would, in a folder holding only a test file and the config. */
function projectJest(dir: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js'), '--ci', '--watchman=false', '--rootDir', dir],
      { cwd: dir, timeout: 60_000, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, output: stdout + stderr }),
    );
  });
}

test("a bad config fails the project's jest run with the problems alone, no stack", async () => {
  const project = tempDir();
  writeFileSync(path.join(project.path, 'jest.config.js'), 'module.exports = { transform: {} };\n');
  writeFileSync(path.join(project.path, 'conformance.test.js'), `require(${JSON.stringify(path.join(ROOT, 'dist', 'harness', 'api.js'))}).defineConformanceTests();\n`);
  writeFileSync(path.join(project.path, 'sockspec.config.json'), '{\n  "suites": ["echo-tpc"],\n  "cmd": "node server.js {port}",\n  "idleTimeout": 3000\n}\n');
  const { code, output } = await projectJest(project.path);
  project.remove();
  expect(code).toBe(1);
  expect(output).toContain('Test suite failed to run');
  expect(output).toContain('sockspec.config.json:2:14: suites[0]: no bundled suite named "echo-tpc" (did you mean "echo-tcp"?)');
  expect(output).toContain('sockspec.config.json:4:3: the config file: unknown field "idleTimeout" (did you mean "idleTimeoutMs"?)');
  expect(output).not.toMatch(/^\s+at /m);
  // Each problem once: not again as if it were a stack.
  expect(output.match(/unknown field "idleTimeout"/g)).toHaveLength(1);
}, 60_000);

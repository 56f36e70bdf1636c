import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { parse } from 'yaml';
import { publishedSchema } from '../harness/suite/schema';
import { bundledSuiteNames } from '../harness/cli/suite-files';
import { SUITES_DIR } from './support/run-suite';
import { publishedTargetsSchema } from '../harness/cli/targets-file';
import { publishedConfigSchema } from '../harness/suite/config-schema';

const SCHEMA_FILE = path.join(__dirname, '..', 'schema', 'suite.schema.json');
const TARGETS_SCHEMA_FILE = path.join(__dirname, '..', 'schema', 'targets.schema.json');
const CONFIG_SCHEMA_FILE = path.join(__dirname, '..', 'schema', 'config.schema.json');

describe('the published JSON Schema', () => {
  test('is the one generated from the step and suite types (run `npm run schema` after changing them)', () => {
    const committed = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(publishedSchema())));
  });

  test.each(bundledSuiteNames())('accepts the bundled suite %s as editors see it', (name) => {
    const validate = new Ajv2020({ strict: false }).compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')));
    const suite = parse(readFileSync(path.join(SUITES_DIR, `${name}.suite.yaml`), 'utf8'));
    expect(validate.errors ?? validate(suite)).toBe(true);
  });

  test('rejects a misspelt step', () => {
    const validate = new Ajv2020({ strict: false }).compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')));
    const suite = { suite: 'x', title: 'x', service: 'echo-tcp', cases: [{ id: 'a', title: 't', requirement: 'r', ref: 'RFC 862', steps: [{ sned: { text: 'hi' } }] }] };
    expect(validate(suite)).toBe(false);
  });

  test('of targets files is the one generated from their types', () => {
    const committed = JSON.parse(readFileSync(TARGETS_SCHEMA_FILE, 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(publishedTargetsSchema())));
  });

  test('of targets files accepts the example and refuses two forms in one target', () => {
    const validate = new Ajv2020({ strict: false }).compile(JSON.parse(readFileSync(TARGETS_SCHEMA_FILE, 'utf8')));
    const example = parse(readFileSync(path.join(__dirname, '..', 'examples', 'sockspec.targets.yaml'), 'utf8'));
    expect(validate.errors ?? validate(example)).toBe(true);
    expect(validate({ targets: [{ name: 'a', target: 'builtin', cmd: 'x {port}' }] })).toBe(false);
  });

  test('of sockspec.config.json is the one generated from its type', () => {
    const committed = JSON.parse(readFileSync(CONFIG_SCHEMA_FILE, 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(publishedConfigSchema())));
  });

  test('of sockspec.config.json accepts the example and strict; refuses an unknown key, both forms, an image without services', () => {
    const validate = new Ajv2020({ strict: false }).compile(JSON.parse(readFileSync(CONFIG_SCHEMA_FILE, 'utf8')));
    const example = JSON.parse(readFileSync(path.join(__dirname, '..', 'examples', 'echo-server', 'sockspec.config.json'), 'utf8'));
    expect(validate.errors ?? validate(example)).toBe(true);
    expect(validate.errors ?? validate({ ...example, strict: true })).toBe(true);
    expect(validate({ ...example, idleTimeout: 3000 })).toBe(false);
    expect(validate({ ...example, image: 'x', services: { 'echo-tcp': 7 } })).toBe(false);
    expect(validate({ suites: ['echo-tcp'], image: 'x' })).toBe(false);
  });
});

describe('sockspec schema into a pipe', () => {
  // The schema is larger than a pipe holds (64 KiB): a reader that is slow to start must still get
  // all of it, which an exit straight after the write does not wait for. A shell pipe, since
  // Node's own stdio pipes to a child are sockets with room for all of it.
  test('a reader that starts late still gets the whole schema', async () => {
    const { execFile } = await import('node:child_process');
    const bin = path.join(__dirname, '..', 'bin', 'sockspec.js');
    const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const stdout = await new Promise<string>((resolve, reject) =>
      execFile('sh', ['-c', `${quote(process.execPath)} ${quote(bin)} schema | (sleep 1; cat)`], { maxBuffer: 16 * 1024 * 1024 }, (error, out) => (error ? reject(error) : resolve(out))),
    );
    expect(JSON.parse(stdout)).toEqual(JSON.parse(JSON.stringify(publishedSchema())));
  }, 30_000);
});

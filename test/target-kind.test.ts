import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Value } from '@sinclair/typebox/value';
import { runHelp } from '../harness/cli/help';
import { targetSpecFromFlags, type TargetFlags } from '../harness/cli/target-option';
import { defineSuiteTests } from '../harness/jest/suite-runtime';
import { checkedTargetSpec, registerTargetKind, TARGET_KINDS, targetSpecSchema } from '../harness/targets/registry';
import { acceptedBy, inProcessEcho } from '../fixtures/extensions/target-in-process-echo';
import { ROOT } from './support/cli';

// The one line a new kind adds to the registry; here at run time, for this test file alone.
registerTargetKind(inProcessEcho);

describe('a target kind added from one file plus its registry line', () => {
  test('sockspec run --help lists it with the built-in kinds', () => {
    expect(runHelp()).toContain(inProcessEcho.help);
    expect(runHelp()).toContain('--cmd "COMMAND"');
  });

  test('the spec schema takes its spec, and refuses a field it does not have', () => {
    expect(Value.Check(targetSpecSchema(), { kind: 'in-process-echo', label: 'x' })).toBe(true);
    expect(Value.Check(targetSpecSchema(), { kind: 'in-process-echo', label: 'x', port: 7 })).toBe(false);
    expect(() => checkedTargetSpec({ kind: 'in-process-echo' })).toThrow('sockspec: target in-process-echo');
  });

  test('a kind no one registered is one line naming the kinds there are', () => {
    expect(() => checkedTargetSpec({ kind: 'in-proces-echo', label: 'x' })).toThrow(
      'sockspec: a target\'s kind is one of builtin, container, address, command, image, client, in-process-echo, not "in-proces-echo"',
    );
  });

  test('a second kind of the same name is refused', () => {
    expect(() => registerTargetKind(inProcessEcho)).toThrow('a target kind named in-process-echo is already registered');
  });
});

// A suite file's case runs against the kind's server: its test fails if the echo does not answer.
defineSuiteTests(path.join(ROOT, 'fixtures', 'extensions', 'target-in-process-echo.suite.yaml'), { target: { kind: 'in-process-echo', label: 'suite' } });

afterAll(() => {
  // The case's connection reached the kind's own server, not a builtin one.
  expect(acceptedBy.get('suite')).toBe(1);
});

test('docs/targets.md lists every built-in kind with its summary', () => {
  const text = readFileSync(path.join(ROOT, 'docs', 'targets.md'), 'utf8');
  const builtIn = [...TARGET_KINDS.values()].filter((kind) => kind !== inProcessEcho);
  expect(builtIn.filter((kind) => !text.includes(`| \`${kind.name}\` |`) || !text.includes(kind.summary)).map((kind) => kind.name)).toEqual([]);
});

test('every built-in kind is reachable from the run flags, and so from a targets file', () => {
  // A kind added to the registry fails here until the flags (cli/target-option.ts) can name it.
  const flags: TargetFlags[] = [{}, { target: 'container' }, { target: 'tcp://127.0.0.1:7' }, { cmd: 'server {port}' }, { image: 'server:1', port: '7' }, { client: 'client {host} {port}' }];
  const reached = flags.map((given) => targetSpecFromFlags(given, ['echo-tcp'], {}).kind);
  expect(reached.sort()).toEqual([...TARGET_KINDS.keys()].filter((name) => name !== inProcessEcho.name).sort());
});

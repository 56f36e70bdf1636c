import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { registerToxicKind, toxicKinds } from '../harness/faults/toxics/registry';
import { runCase } from '../harness/run/run-case';
import { stepSchema } from '../harness/steps/registry';
import { BuiltinTarget } from '../harness/targets/builtin';
import { loadSuite } from '../harness/suite/load';
import { SuiteError } from '../harness/suite/suite-error';
import { flipBits } from '../fixtures/extensions/toxic-flip-bits';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const EXTENSION_SUITE = path.join(FIXTURES, 'extensions', 'toxic-flip-bits.suite.yaml');

function loadError(file: string): SuiteError {
  try {
    loadSuite(file);
  } catch (err) {
    if (err instanceof SuiteError) return err;
    throw err;
  }
  throw new Error(`${file} loaded without error`);
}

describe('a toxic is checked against its own kind at load, with file:line:column', () => {
  test('a field of another kind, a wrong type, both spellings of a field, a value out of bounds', () => {
    const problems = loadError(path.join(FIXTURES, 'suites', 'malformed', 'toxics.suite.yaml')).problems.map((p) => `${p.line}:${p.column}: ${p.rule}`);
    const at = 'cases[0].steps[0].faults.toxics';
    expect(problems).toEqual([
      `12:44: ${at}[0]: unknown field "rate" (allowed: type, direction, toxicity, latency, jitter, stream)`,
      `13:17: ${at}[1].type: must be one of: latency, bandwidth, slicer, limit_data, reset_peer, timeout, slow_close`,
      `14:15: ${at}[2]: give only one of average_size, averageSize; found average_size and averageSize`,
      `15:15: ${at}[3]: needs one of: average_size, averageSize`,
      `16:40: ${at}[4].rate: must be <= 10000000`,
      `17:15: ${at}[5]: missing field "type"`,
      `18:52: ${at}[6].stream: must be one of: upstream, downstream`,
    ]);
  });

  test("a rule between a toxic's attributes, and a fault proxy for a UDP service, are load errors too", () => {
    const problems = (name: string) => loadError(path.join(FIXTURES, 'suites', 'malformed', name)).problems.map((p) => `${p.line}:${p.column}: ${p.rule}`);
    expect(problems('toxic-rules.suite.yaml')).toEqual([
      '12:13: cases[0].steps[0].faults.toxics: invalid toxic: slicer: size_variation must be below average_size (got 9 and 4)',
    ]);
    expect(problems('faults-on-udp.suite.yaml')).toEqual(['10:17: cases[0].steps[0].faults: faults work on TCP services; echo-udp is UDP']);
  });

  test("the published schema refuses a field of another kind too, as editors see it", () => {
    const step = { $defs: { step: { type: 'object' } }, ...stepSchema() };
    const validate = new Ajv2020({ strict: false }).compile(step);
    expect(validate({ faults: { toxics: [{ type: 'latency', latency: 5 }] } })).toBe(true);
    expect(validate({ faults: { toxics: [{ type: 'latency', latency: 5, rate: 100 }] } })).toBe(false);
  });
});

describe('a toxic kind added from one file', () => {
  test('is unknown until registered, then loaded, checked and run through the builtin echo', async () => {
    expect(loadError(EXTENSION_SUITE).rule).toMatch(/\.type: must be one of: latency, .*slow_close$/);

    registerToxicKind(flipBits);
    expect(toxicKinds().map((kind) => kind.type)).toContain('flip_bits');
    expect(() => registerToxicKind(flipBits)).toThrow(/already registered/);

    const suite = loadSuite(EXTENSION_SUITE);
    const target = new BuiltinTarget();
    try {
      const outcome = await runCase(suite, suite.cases[0], await target.start(['echo-tcp']));
      expect(outcome.failure?.summary).toBeUndefined();
      expect(outcome.verdict).toBe('pass');
    } finally {
      await target.stop();
    }

    // Its attributes are checked like a shipped kind's: the schema was rebuilt from the list.
    const text = readFileSync(EXTENSION_SUITE, 'utf8').replace('mask: 32', 'mask: 256');
    expect(loadErrorOf(text)).toMatch(/faults\.toxics\[0\]\.mask: must be <= 255$/);
  });
});

/** The first problem the loader finds in a suite file with this text. */
function loadErrorOf(text: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sockspec-toxic-'));
  try {
    const file = path.join(dir, 'changed.suite.yaml');
    writeFileSync(file, text);
    return loadError(file).rule;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

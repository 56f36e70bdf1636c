import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { lockStepProblem } from '../harness/steps/support/companions';
import { loadSuite } from '../harness/suite/load';
import { runCase } from '../harness/run/run-case';
import { attemptCaptureSkip } from '../harness/run/network-needs';
import type { Case } from '../harness/suite/schema';
import { REFERENCE_CLIENT } from '../fixtures/clients/backoff';
import { tempDir } from './support/cli';

/** The lock-step check of expect-attempts `delays: apart`, on attempts as the captures record them. */

const copy = (...offsets: number[]) => offsets.map((at, i) => ({ at: 1_000_000 + at, sourcePort: 40000 + i }));

test('copies whose delays all lie within the tolerance of each other are in lock-step, whatever their first attempt', () => {
  const problem = lockStepProblem([copy(0, 100, 300, 700), copy(500, 610, 810, 1200), copy(7, 98, 297, 695)], 20);
  expect(problem).toBe(
    'the 3 copies, started together, retried in lock-step: of their delays 1 to 3, none differed by more than 20 ms between the copies ' +
      '(spreads 19, 1, 10 ms; copies that jitter differ in at least 2); delays in ms, copy 1: 100, 200, 400; copy 2: 110, 200, 390; copy 3: 91, 199, 398',
  );
});

test('one stretched delay (a client descheduled once) is still lock-step: every later attempt moves with it, but no other delay', () => {
  expect(lockStepProblem([copy(0, 100, 300, 700), copy(0, 100, 360, 760)], 20)).toMatch(/lock-step: of their delays 1 to 3, only 1 differed by more than 20 ms .*\(spreads 0, 60, 0 ms;/);
});

test('two delays further apart than the tolerance are not lock-step', () => {
  expect(lockStepProblem([copy(0, 100, 300, 700), copy(0, 130, 300, 721)], 20)).toBeUndefined();
});

test('only the delays every copy made are compared', () => {
  expect(lockStepProblem([copy(0, 100, 300, 700, 1500), copy(0, 100, 300, 700)], 20)).toMatch(/of their delays 1 to 3,/);
});

test('a copy that made fewer than three attempts leaves too little to compare: a failure that says so', () => {
  expect(lockStepProblem([copy(0, 100, 300), copy(0, 100)], 20)).toBe('a copy made fewer than 3 attempts: too few retries to compare (delays in ms, copy 1: 100, 200; copy 2: 100)');
});

/** Runs on the reference client: the copies start, and apart without copies is the suite's mistake. */
describe('expect-attempts delays: apart in a case', () => {
  const yaml = (copies: string) =>
    `suite: apart\ntitle: t\nservice: echo-tcp\npeer: client\ncases:\n  - id: c\n    title: t\n    requirement: r\n    ref: r\n    steps:\n` +
    `      - start-client: { refuse: 1000, ${copies}backoff: { initial: 50ms, multiplier: 1, cap: 50ms, jitter: 0.5, attempts: 4, attemptTimeout: 500ms } }\n` +
    `      - expect-attempts: { delays: apart, tolerance: 1ms }\n`;

  async function run(copies: string) {
    const dir = tempDir();
    const file = path.join(dir.path, 'apart.suite.yaml');
    writeFileSync(file, yaml(copies));
    try {
      const suite = loadSuite(file);
      return await runCase(suite, suite.cases[0], {}, { client: { command: REFERENCE_CLIENT } });
    } finally {
      dir.remove();
    }
  }

  const skip = attemptCaptureSkip({ steps: [{ 'start-client': { refuse: 1 } }] } as unknown as Case);
  (skip ? test.skip : test)(`three copies each make their attempts, on ports of their own${skip ? ` [skipped: ${skip}]` : ''}`, async () => {
    const outcome = await run('copies: 3, ');
    const note = outcome.notes.find((line) => line.startsWith('delays of the copies started together'));
    expect(outcome.verdict).toBe('pass');
    expect(note).toMatch(/^delays of the copies started together: copy 1: \d+, \d+, \d+; copy 2: \d+, \d+, \d+; copy 3: \d+, \d+, \d+ ms$/);
  }, 20_000);

  (skip ? test.skip : test)(`without copies, a usage error${skip ? ` [skipped: ${skip}]` : ''}`, async () => {
    const outcome = await run('');
    expect(outcome.suiteError?.message).toBe('expect-attempts delays: apart compares the copies start-client starts together: give it copies');
  }, 20_000);
});

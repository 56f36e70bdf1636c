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

test('copies whose every attempt lies within the tolerance of the others are in lock-step, whatever their first attempt', () => {
  const problem = lockStepProblem([copy(0, 100, 300), copy(500, 610, 810), copy(7, 98, 297)], 20);
  expect(problem).toBe(
    "the 3 copies, started together, retried in lock-step: their attempts 2 to 3, each timed from the copy's own first, lie within 20 ms of each other (at most 20 ms apart); " +
      'delays in ms, copy 1: 100, 200; copy 2: 110, 200; copy 3: 91, 199',
  );
});

test('one attempt further apart than the tolerance is not lock-step', () => {
  expect(lockStepProblem([copy(0, 100, 300), copy(0, 100, 321)], 20)).toBeUndefined();
  expect(lockStepProblem([copy(0, 130, 300), copy(0, 100, 300)], 20)).toBeUndefined();
});

test('only the attempts every copy made are compared', () => {
  expect(lockStepProblem([copy(0, 100, 300, 700), copy(0, 100, 300)], 20)).toMatch(/attempts 2 to 3/);
});

test('a copy that made one attempt leaves nothing to compare: a failure that says so', () => {
  expect(lockStepProblem([copy(0, 100), copy(0)], 20)).toBe('a copy made fewer than two attempts: no retries to compare (delays in ms, copy 1: 100; copy 2: none)');
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

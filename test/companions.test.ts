import { lockStepProblem } from '../harness/steps/support/companions';

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

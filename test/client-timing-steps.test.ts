import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadSuite } from '../harness/suite/load';
import { SuiteError } from '../harness/suite/suite-error';
import { tempDir } from './support/cli';

/** The load errors of the timing steps' options (expect-client-exit after, start-client refuse, drop and dropSyns, expect-attempts). */

function problemsOf(steps: string, needs = ''): string[] {
  const dir = tempDir();
  const file = path.join(dir.path, 'timing.suite.yaml');
  writeFileSync(
    file,
    `suite: timing\ntitle: t\nservice: echo-tcp\npeer: client\ncases:\n  - id: c\n    title: t\n    requirement: r\n    ref: r\n${needs}    steps:\n${steps}`,
  );
  try {
    loadSuite(file);
    return [];
  } catch (err) {
    if (err instanceof SuiteError) return err.problems.map((p) => p.rule);
    throw err;
  } finally {
    dir.remove();
  }
}

test('after: timeout needs a tolerance, excludes within, and the case must list needs: [client-timeout]', () => {
  expect(problemsOf('      - start-client:\n      - expect-client-exit: { after: timeout, code: any }\n', '    needs: [client-timeout]\n')).toEqual([
    'cases[0].steps[1].expect-client-exit.after: after and tolerance go together: after: timeout, tolerance: 1500ms',
  ]);
  expect(problemsOf('      - start-client:\n      - expect-client-exit: { after: timeout, tolerance: 1s, within: 2s }\n', '    needs: [client-timeout]\n')).toEqual([
    'cases[0].steps[1].expect-client-exit.within: give within or after, not both: after bounds the exit by the declared timeout',
  ]);
  expect(problemsOf('      - start-client:\n      - expect-client-exit: { after: timeout, tolerance: 1s }\n')).toEqual([
    expect.stringMatching(/expect-client-exit needs "client-timeout" of the target: list it under the case's needs/),
  ]);
});

test('start-client: refuse or refuseFor, without listening or dropSyns; dropSyns without listening', () => {
  expect(problemsOf('      - start-client: { refuse: 2, refuseFor: 1s }\n')).toEqual(['cases[0].steps[0].start-client.refuseFor: give refuse (a count of attempts) or refuseFor (a time), not both']);
  expect(problemsOf('      - start-client: { refuse: 2, listening: false }\n')).toEqual([
    'cases[0].steps[0].start-client.refuse: refuse starts without listening and listens later: leave out listening and dropSyns',
  ]);
  expect(problemsOf('      - start-client: { dropSyns: true, listening: true }\n')).toEqual(['cases[0].steps[0].start-client.dropSyns: dropSyns gives an address nothing answers at: leave out listening']);
});

test('start-client: drop or dropFor, without refusing, listening or dropSyns', () => {
  expect(problemsOf('      - start-client: { drop: 2, dropFor: 1s }\n')).toEqual(['cases[0].steps[0].start-client.dropFor: give drop (a count of attempts) or dropFor (a time), not both']);
  expect(problemsOf('      - start-client: { dropFor: 1s, refuse: 2 }\n')).toEqual([
    'cases[0].steps[0].start-client.dropFor: dropFor starts without answering and listens later: leave out listening, dropSyns, refuse and refuseFor',
  ]);
  expect(problemsOf('      - start-client: { drop: 2, dropSyns: true }\n')).toEqual([
    'cases[0].steps[0].start-client.drop: drop starts without answering and listens later: leave out listening, dropSyns, refuse and refuseFor',
  ]);
  expect(problemsOf('      - start-client: { drop: 2 }\n')).toEqual([]);
});

test('start-client: copies only with refuse or refuseFor, and backoff; from 2 to 8', () => {
  const policy = 'backoff: { initial: 100ms, multiplier: 2, cap: 800ms, jitter: 0.2, attempts: 8, attemptTimeout: 500ms }';
  const problem = 'cases[0].steps[0].start-client.copies: copies compares the retries of clients refused together: give it with refuse or refuseFor, and backoff';
  expect(problemsOf(`      - start-client: { refuse: 1000, copies: 3, ${policy} }\n`)).toEqual([]);
  expect(problemsOf(`      - start-client: { refuseFor: 1s, copies: 2, ${policy} }\n`)).toEqual([]);
  expect(problemsOf(`      - start-client: { copies: 3, ${policy} }\n`)).toEqual([problem]);
  expect(problemsOf('      - start-client: { refuse: 1000, copies: 3 }\n')).toEqual([problem]);
  expect(problemsOf(`      - start-client: { refuse: 1000, copies: 9, ${policy} }\n`)).toEqual([expect.stringMatching(/copies/)]);
  expect(problemsOf(`      - start-client: { refuse: 1000, copies: 1, ${policy} }\n`)).toEqual([expect.stringMatching(/copies/)]);
});

test('expect-attempts: something to check, delays with their tolerance', () => {
  expect(problemsOf('      - start-client: { refuse: 2 }\n      - expect-attempts: {}\n')).toEqual(['cases[0].steps[1].expect-attempts: give count, or delays and tolerance']);
  expect(problemsOf('      - start-client: { refuse: 2 }\n      - expect-attempts: { delays: cap }\n')).toEqual(['cases[0].steps[1].expect-attempts.delays: delays and tolerance go together']);
});

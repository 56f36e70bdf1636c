import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REFERENCE_SERVERS } from '../harness/servers/catalog';
import { runCase, type CaseOutcome } from '../harness/run/run-case';
import { loadSuite } from '../harness/suite/load';
import { resolveSuiteFiles } from '../harness/cli/suite-files';
import { parseCapacity } from '../harness/vocabulary/capacity';
import type { LatencyMeasurement } from '../harness/vocabulary/measurement';
import { ROOT, sockspec, tempDir } from './support/cli';

/** A one-case suite of the service with the step given (and case fields), loaded as sockspec loads a suite file. */
function oneStepSuite(service: string, step: string, fields = ['level: info']) {
  const dir = tempDir();
  const file = path.join(dir.path, 'room.suite.yaml');
  writeFileSync(file, ['suite: room', 'title: t', `service: ${service}`, 'cases:', '  - id: a', '    title: t', '    requirement: r', '    ref: x', ...fields.map((field) => `    ${field}`), '    steps:', `      - ${step}`, ''].join('\n'));
  try {
    return loadSuite(file);
  } finally {
    dir.remove();
  }
}

/** Runs the suite's case against a fresh server of `service` from the catalogue. */
async function runAgainst(step: string, service: 'chat' | 'echo-tcp'): Promise<CaseOutcome> {
  const suite = oneStepSuite('chat', step);
  const server = await REFERENCE_SERVERS[service].start({});
  try {
    return await runCase(suite, suite.cases[0], { chat: { host: server.host, port: server.port, transport: 'tcp' } });
  } finally {
    await server.close();
  }
}

describe('--declare-capacity fanout-p99', () => {
  test('takes a duration, as p99 does', () => {
    expect(parseCapacity(['fanout-p99=200ms'])).toEqual({ fanoutP99Ms: 200 });
    expect(parseCapacity(['p99=20ms,fanout-p99=1s'])).toEqual({ p99Ms: 20, fanoutP99Ms: 1000 });
    expect(parseCapacity(['fanout-p99=fast'])).toBe('fanout-p99 takes a value such as fanout-p99=200ms (a chat message to each member of a room), not "fast"');
  });
});

describe('the capacity-chat suite runs on request only', () => {
  test('a run of every suite leaves it out; --suite capacity-chat names it', () => {
    expect(resolveSuiteFiles([]).some((file) => file.endsWith('capacity-chat.suite.yaml'))).toBe(false);
    expect(resolveSuiteFiles(['capacity-chat'])).toEqual([path.join(ROOT, 'suites', 'capacity-chat.suite.yaml')]);
  });

  test('without a declaration declared-fanout is skipped, saying how to declare', async () => {
    const reports = tempDir();
    const result = await sockspec(['run', '--suite', 'capacity-chat', '--filter', 'declared-', '--reports', reports.path]);
    const results = JSON.parse(readFileSync(path.join(reports.path, 'results.json'), 'utf8')) as { cases: { case: string; verdict: string; reason?: string }[] };
    reports.remove();
    expect(result.code).toBe(0);
    expect(results.cases.map((c) => [c.case, c.verdict, c.reason])).toEqual([['declared-fanout', 'skip', expect.stringContaining('--declare-capacity fanout-p99=200ms on the command line')]]);
  }, 60_000);
});

describe('fanout', () => {
  test('times every delivery of every message to every other member, and reports the percentiles', async () => {
    const outcome = await runAgainst('fanout: { members: 5, messages: 40, perSecond: 200 }', 'chat');
    expect(outcome.failure ?? outcome.suiteError).toBeUndefined();
    const [measurement] = outcome.measurements as LatencyMeasurement[];
    expect(measurement).toMatchObject({ kind: 'latency', label: 'room of 5', offeredPerSecond: 200, concurrency: 5, samples: 40 * 4, errors: 0, timed: 'delivery', concurrencyOf: 'members' });
    expect(measurement.percentiles.map((point) => point.p)).toEqual(expect.arrayContaining([50, 90, 99, 99.9]));
    expect(outcome.notes.join('\n')).toMatch(/^a room of 5 \(sockspec-chat\), 40 messages at 200\/s: p50 .* \(160 deliveries, each timed from when its message was due\)$/m);
  }, 30_000);

  test('a server that does not speak the profile fails at the join exchange, naming the member and the line', async () => {
    const outcome = await runAgainst('fanout: { members: 3, messages: 3, timeout: 500ms }', 'echo-tcp');
    expect(outcome.failure?.message).toBe('the room of 3 did not fill: member 1: no answer within 500 ms at line 1 of the join exchange');
  }, 30_000);
});

describe('bounded at load', () => {
  test('deliveries past a million are an error at the step', () => {
    expect(() => oneStepSuite('chat', 'fanout: { members: 1000, messages: 2000 }')).toThrow(/room\.suite\.yaml:11:\d+: cases\[0\]\.steps\[0\]\.fanout\.messages: 1,998,000 deliveries \(messages times the other members\); a measurement times at most 1,000,000$/);
  });

  test('a room of one is no room', () => {
    expect(() => oneStepSuite('chat', 'fanout: { members: 1, messages: 2 }')).toThrow(/fanout\.members: must be >= 2$/);
  });
});

test('a room that does not fill is a precondition of the declared fan-out, not a breach of it', async () => {
  const suite = oneStepSuite('chat', 'fanout: { declared: true, members: 3, messages: 3, timeout: 500ms, rule: capacity-fanout-within-declared }', ['rules: [capacity-fanout-within-declared]', 'needs: [capacity-fanout]']);
  const c = suite.cases[0];
  const server = await REFERENCE_SERVERS['echo-tcp'].start({});
  try {
    const outcome = await runCase(suite, c, { chat: { host: server.host, port: server.port, transport: 'tcp', capacity: { fanoutP99Ms: 200 } } });
    expect(outcome.failure?.message).toMatch(/^the room of 3 did not fill: member 1: /);
    expect(outcome.attribution).toEqual({ as: 'precondition', rules: [], notReached: ['capacity-fanout-within-declared'] });
  } finally {
    await server.close();
  }
}, 30_000);

import dgram from 'node:dgram';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { REFERENCE_SERVERS } from '../harness/servers/catalog';
import { runCase, type CaseOutcome } from '../harness/run/run-case';
import { loadSuite } from '../harness/suite/load';
import { resolveSuiteFiles } from '../harness/cli/suite-files';
import type { LatencyMeasurement } from '../harness/vocabulary/measurement';
import { ROOT, tempDir } from './support/cli';

/** A one-case suite of the service with the step given, loaded as sockspec loads a suite file. */
function oneStepSuite(service: string, step: string) {
  const dir = tempDir();
  const file = path.join(dir.path, 'udp.suite.yaml');
  writeFileSync(file, ['suite: udp', 'title: t', `service: ${service}`, 'cases:', '  - id: a', '    title: t', '    requirement: r', '    ref: x', '    level: info', '    steps:', `      - ${step}`, ''].join('\n'));
  try {
    return loadSuite(file);
  } finally {
    dir.remove();
  }
}

/** A UDP echo on 127.0.0.1 that answers each datagram through `answer` (undefined: no answer). */
async function udpServer(answer: (datagram: Buffer) => Buffer | undefined): Promise<{ port: number; close: () => Promise<void> }> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (datagram, from) => {
    const back = answer(datagram);
    if (back) socket.send(back, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, close: () => new Promise((resolve) => socket.close(() => resolve())) };
}

async function measure(step: string, port: number, transport: 'udp' | 'tcp' = 'udp'): Promise<CaseOutcome> {
  const suite = oneStepSuite(transport === 'udp' ? 'echo-udp' : 'echo-tcp', step);
  return runCase(suite, suite.cases[0], { [transport === 'udp' ? 'echo-udp' : 'echo-tcp']: { host: '127.0.0.1', port, transport } });
}

test('the capacity-udp suite runs on request only', () => {
  expect(resolveSuiteFiles([]).some((file) => file.endsWith('capacity-udp.suite.yaml'))).toBe(false);
  expect(resolveSuiteFiles(['capacity-udp'])).toEqual([path.join(ROOT, 'suites', 'capacity-udp.suite.yaml')]);
});

describe('datagram-rate', () => {
  test('against the reference echo every datagram comes back, each timed', async () => {
    const server = await REFERENCE_SERVERS['echo-udp'].start({});
    try {
      const outcome = await measure('datagram-rate: { perSecond: 500, for: 1s, timeout: 1s }', server.port);
      expect(outcome.failure ?? outcome.suiteError).toBeUndefined();
      expect(outcome.measurements).toEqual([expect.objectContaining({ kind: 'latency', label: '500 datagrams/s', offeredPerSecond: 500, samples: 500, errors: 0, concurrencyOf: 'sockets' })]);
      expect(outcome.notes).toEqual([expect.stringMatching(/^500 of 500 datagrams of 64 B came back within 1000 ms at 500\/s \(0\.0% lost\): p50 /)]);
    } finally {
      await server.close();
    }
  }, 30_000);

  test('a server that answers every other datagram loses half, and those count as lost, not as times', async () => {
    const server = await udpServer((datagram) => (datagram.readUInt32BE(0) % 2 === 0 ? datagram : undefined));
    try {
      const outcome = await measure('datagram-rate: { perSecond: 400, for: 1s, timeout: 300ms }', server.port);
      const [measurement] = outcome.measurements as LatencyMeasurement[];
      expect(measurement).toMatchObject({ samples: 200, errors: 200 });
      expect(outcome.notes[0]).toMatch(/^200 of 400 datagrams of 64 B came back within 300 ms at 400\/s \(50\.0% lost\)/);
    } finally {
      await server.close();
    }
  }, 30_000);

  test('an echo that comes back changed is not counted as back, and is reported', async () => {
    const server = await udpServer((datagram) => (datagram.readUInt32BE(0) === 7 ? Buffer.concat([datagram, Buffer.from('!')]) : datagram));
    try {
      const outcome = await measure('datagram-rate: { perSecond: 100, for: 200ms, timeout: 300ms }', server.port);
      // Each of the two load drivers numbers its own datagrams: each has a number 7.
      expect(outcome.measurements).toEqual([expect.objectContaining({ samples: 18, errors: 2 })]);
      expect(outcome.notes[0]).toMatch(/; 2 echoes wrong \(first: datagram 7 came back changed \(65 of 64 B\)\)$/);
    } finally {
      await server.close();
    }
  }, 30_000);

  test('on a TCP service it is an error of the suite', async () => {
    const outcome = await measure('datagram-rate: { perSecond: 10, for: 100ms }', 9, 'tcp');
    expect(outcome.suiteError?.message).toBe('this capacity step measures UDP services; echo-tcp is TCP');
  });

  test('more than a million datagrams is an error at load', () => {
    expect(() => oneStepSuite('echo-udp', 'datagram-rate: { perSecond: 100000, for: 20s }')).toThrow(/datagram-rate\.perSecond: 2,000,000 datagrams \(perSecond times for\); a measurement sends at most 1,000,000$/);
  });
});

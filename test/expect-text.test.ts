import net from 'node:net';
import { listenTcp } from '../harness/servers/listen';
import type { RunningServer } from '../harness/servers/running-server';
import type { CaseOutcome } from '../harness/run/run-case';
import { runSteps } from './support/run-steps';
import { decodeUtf8 } from '../harness/steps/support/utf8-text';

/**
 * `expect: { regex }` over bytes that are not all valid UTF-8: the regex sees the text (invalid
 * bytes as U+FFFD), but the step must consume exactly the bytes its match covers, so the next step
 * starts at the right byte.
 */
let server: RunningServer | undefined;

/** A server that writes each part in turn, the next one `gapMs` after the previous. */
async function writes(parts: Buffer[], gapMs = 0): Promise<number> {
  const tcp = net.createServer((socket) => {
    socket.on('error', () => {});
    parts.forEach((part, i) => setTimeout(() => socket.write(part), i * gapMs));
  });
  server = await listenTcp(tcp);
  return server.port;
}

afterEach(async () => {
  await server?.close();
  server = undefined;
});

const run = (port: number, steps: unknown[]): Promise<CaseOutcome> => runSteps('echo-tcp', port, steps);

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));

describe('expect regex over bytes that are not valid UTF-8', () => {
  test('an invalid byte matched as U+FFFD consumes that one byte', async () => {
    const port = await writes([bytes('a', [0xff], 'b', [0x01, 0x02])]);
    const outcome = await run(port, [{ connect: {} }, { expect: { regex: 'a.b' } }, { expect: { hex: '01 02' } }]);
    expect(outcome.failure?.summary).toBeUndefined();
  });

  test('a truncated sequence before ASCII consumes only its bytes', async () => {
    // E2 82 is the start of a three-byte character (€ is E2 82 AC) cut short by "x".
    const port = await writes([bytes([0xe2, 0x82], 'x!')]);
    const outcome = await run(port, [{ connect: {} }, { expect: { regex: '\\uFFFDx' } }, { expect: { text: '!' } }]);
    expect(outcome.failure?.summary).toBeUndefined();
  });

  test('a character split across reads is matched whole, not as U+FFFD', async () => {
    const port = await writes([bytes('caf', [0xc3]), bytes([0xa9], '!')], 100);
    const outcome = await run(port, [{ connect: {} }, { expect: { regex: 'caf(.)' } }, { expect: { text: '!' } }]);
    expect(outcome.failure?.summary).toBeUndefined();
  });

  test('a failed match says which unread bytes are not UTF-8', async () => {
    const port = await writes([bytes('ok ', [0xc0, 0xaf], ' done')]);
    const outcome = await run(port, [{ connect: {} }, { expect: { regex: 'ok / done' } }, { close: {} }]);
    expect(outcome.failure?.summary).toBe('expected text matching /ok / done/; nothing more came for 300 ms first');
    expect(outcome.failure?.details).toEqual([
      'received @0: 6f 6b 20 c0 af 20 64 6f 6e 65                    |ok .. done|',
      'not valid UTF-8 (the regex sees U+FFFD for them): bytes 3-4',
    ]);
  });
});

describe('decodeUtf8', () => {
  const samples = [
    [0x61, 0xff, 0x62], [0xe2, 0x82], [0xe2, 0x82, 0xac], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf0, 0x9f, 0x98, 0x80, 0x21],
    [0xf4, 0x90, 0x80, 0x80], [0xe0, 0x80, 0xaf], [0xf0, 0x9f, 0x98], [0x80, 0x80, 0xc3, 0xa9], [0xef, 0xbf, 0xbd],
  ].map((b) => [Buffer.from(b).toString('hex'), Buffer.from(b)] as const);

  test.each(samples)('decodes %s as Buffer.toString does when final', (_hex, input) => {
    expect(decodeUtf8(input, true).text).toBe(input.toString('utf8'));
  });

  test('maps every character back to its bytes, and leaves a cut-off character for later', () => {
    const decoded = decodeUtf8(bytes('a', [0xff], '\u{1F600}é', [0xe2, 0x82]), false);
    expect(decoded.text).toBe('a\uFFFD\u{1F600}é');
    expect([0, 1, 2, 4, 5].map((i) => decoded.byteOffset(i))).toEqual([0, 1, 2, 6, 8]);
    expect(decoded.invalid).toEqual([[1, 2]]);
    expect(decodeUtf8(bytes([0xe2, 0x82]), true).invalid).toEqual([[0, 2]]);
  });
});

import { ALWAYS_IN_RANDOM, SCATTERED_FROM, SPLIT_CHARACTER_EVERY, buildPayload } from '../harness/steps/support/payload';
import type { Payload } from '../harness/net/payload';

function readAll(payload: Payload, readSize: number): Buffer {
  const stream = payload.open();
  const parts: Buffer[] = [];
  for (let chunk = stream.read(readSize); chunk.length > 0; chunk = stream.read(readSize)) parts.push(chunk);
  return Buffer.concat(parts);
}

const SEEDS = ['0/echo-tcp/size-1023:2', '1/echo-tcp/size-1023:2', '7', 'x', 'another seed'];
const SIZES = [16, 64, SCATTERED_FROM, 1023, 1024, 1025, 2046, 3000, 64 * 1024 + 3];

describe('random payloads', () => {
  test.each(SIZES)('of %i bytes hold every byte sequence servers mangle, whatever the seed', (size) => {
    for (const seed of SEEDS) {
      const bytes = readAll(buildPayload({ random: { bytes: size } }, seed), 4096);
      expect(bytes.length).toBe(size);
      for (const unit of ALWAYS_IN_RANDOM) expect([unit.name, bytes.includes(Buffer.from(unit.bytes))]).toEqual([unit.name, true]);
      // A 4-byte UTF-8 character straddles each read-buffer boundary inside the payload.
      for (let boundary = SPLIT_CHARACTER_EVERY; boundary + 2 <= size; boundary += SPLIT_CHARACTER_EVERY) {
        expect(bytes.subarray(boundary - 2, boundary + 2).toString('hex')).toBe('f09f9880');
      }
    }
  });

  test('shorter than all of them hold the first that fit, and one byte is never UTF-8', () => {
    expect(readAll(buildPayload({ random: { bytes: 1 } }, 'a'), 10)).toEqual(Buffer.from([0xff]));
    expect(readAll(buildPayload({ random: { bytes: 4 } }, 'b'), 10)).toEqual(Buffer.from([0xff, 0x00, 0x0d, 0x0a]));
    expect(readAll(buildPayload({ random: { bytes: 6 } }, 'c'), 10).subarray(0, 6)).toEqual(Buffer.from([0xff, 0x00, 0x0d, 0x0a, 0x0d, 0x41]));
  });

  test('are the same bytes however they are read, and differ between seeds outside what is planted', () => {
    const payload = buildPayload({ random: { bytes: 10_000 } }, 'seed');
    const whole = readAll(payload, 1 << 20);
    for (const readSize of [1, 3, 1000, 1024, 4097]) expect(readAll(payload, readSize).equals(whole)).toBe(true);
    const other = readAll(buildPayload({ random: { bytes: 10_000 } }, 'other seed'), 1 << 20);
    let same = 0;
    for (let i = 0; i < whole.length; i++) if (whole[i] === other[i]) same++;
    // The planted bytes (about 14 + 4 per KiB) and chance (1 in 256) agree; little else does.
    expect(same).toBeLessThan(150);
  });
});

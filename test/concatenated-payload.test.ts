import { concatenated, fixed } from '../harness/net/payload';

describe('concatenated payloads', () => {
  const parts = (count: number) => Array.from({ length: count }, (_, i) => fixed(Buffer.from([i]), `piece ${i}`));

  test('read back as one payload, in order', () => {
    const whole = concatenated(parts(3));
    const stream = whole.open();
    expect([whole.length, stream.read(10), stream.read(10), stream.read(10), stream.read(10).length]).toEqual([3, Buffer.from([0]), Buffer.from([1]), Buffer.from([2]), 0]);
  });

  test('a few parts are all named; past four the label counts the rest, so a failure message stays short', () => {
    expect(concatenated(parts(2)).label).toBe('2 payloads sent (piece 0, piece 1)');
    expect(concatenated(parts(300)).label).toBe('300 payloads sent (piece 0, piece 1, piece 2, piece 3, and 296 more)');
  });
});

import { Type } from '@sinclair/typebox';
import { MAX_DURATION_MS, MAX_SIZE_BYTES } from '../../vocabulary/units';
import { symmetricOffset, type Random } from '../random';
import { defineToxicKind } from '../toxic';
import { wait } from '../wait';

/**
 * Splits each chunk into segments of about average_size bytes, written separately with `delay`
 * between them: the receiver sees a message spread over many reads, as across a real network.
 */
export const slicer = defineToxicKind({
  type: 'slicer',
  summary: "Splits each chunk by Toxiproxy's halving rule into segments of about average_size bytes, written separately.",
  attributes: {
    average_size: Type.Integer({ minimum: 1, maximum: MAX_SIZE_BYTES, description: 'segment size in bytes' }),
    size_variation: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_SIZE_BYTES, description: '± bytes around average_size, below it; default 0' })),
    delay: Type.Optional(Type.Number({ minimum: 0, maximum: MAX_DURATION_MS * 1000, description: 'µs after each segment (below 1000: one turn of the event loop); default 0' })),
  },
  // sockspec's spellings before it took Toxiproxy's; the shipped suites still use them.
  aliases: { averageSize: 'average_size', sizeVariation: 'size_variation' },
  check: ({ average_size, size_variation = 0 }) =>
    size_variation < average_size ? undefined : `size_variation must be below average_size (got ${size_variation} and ${average_size})`,
  stage: ({ average_size, size_variation = 0, delay = 0 }, { emit, random, signal }) => ({
    async data(chunk) {
      let start = 0;
      for (const end of cuts(0, chunk.data.length, average_size, size_variation, random)) {
        await emit({ data: chunk.data.subarray(start, end), at: chunk.at });
        await wait(delay / 1000, signal);
        start = end;
      }
    },
  }),
});

/**
 * Toxiproxy's slicing: halve (± the variation) until a piece is within averageSize + sizeVariation,
 * which spreads sizes evenly over the chunk instead of leaving a runt at its end. Returns each
 * segment's end offset. Halving keeps the depth at log2(chunk / averageSize).
 */
export function cuts(start: number, end: number, averageSize: number, sizeVariation: number, random: Random): number[] {
  if (end - start - averageSize <= sizeVariation) return [end];
  const mid = start + Math.floor((end - start) / 2) + symmetricOffset(sizeVariation, random);
  return [...cuts(start, mid, averageSize, sizeVariation, random), ...cuts(mid, end, averageSize, sizeVariation, random)];
}

import { symmetricOffset, type Random } from '../random';
import { defineToxic, type Toxic, type ToxicOptions } from '../toxic';
import { wait } from '../wait';

export interface SlicerOptions extends ToxicOptions {
  /** Target segment size in bytes. */
  averageSize: number;
  /** ± bytes around the average; must be below averageSize. */
  sizeVariation?: number;
  /** Pause after each segment, in µs (below 1000 µs: one turn of the event loop). */
  delay?: number;
}

/**
 * Splits each chunk into segments of about averageSize bytes, written separately with `delay`
 * between them: the receiver sees a message spread over many reads, as across a real network.
 */
export function slicer(options: SlicerOptions): Toxic {
  const { averageSize, sizeVariation = 0, delay = 0 } = options;
  if (averageSize < 1 || sizeVariation >= Math.max(averageSize, 1)) {
    throw new RangeError(`slicer: averageSize must be >= 1 and sizeVariation below it (got ${averageSize}, ${sizeVariation})`);
  }
  return defineToxic('slicer', options, { averageSize, sizeVariation, delay }, ({ emit, random, signal }) => ({
    async data(chunk) {
      let start = 0;
      for (const end of cuts(0, chunk.data.length, averageSize, sizeVariation, random)) {
        await emit({ data: chunk.data.subarray(start, end), at: chunk.at });
        await wait(delay / 1000, signal);
        start = end;
      }
    },
  }));
}

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

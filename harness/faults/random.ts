/**
 * Seeded randomness for the fault proxy. Every decision (does a toxic apply to this connection?)
 * and every draw inside a toxic (jitter, slice sizes) comes from a stream named by the proxy's seed
 * and the connection's index, so a run with the same seed and the same connection order repeats
 * exactly, and one toxic's draws never shift another's.
 */
export type Random = () => number;

/** A uniform stream in [0, 1) for the given name parts, e.g. (seed, connection index, toxic id). */
export function seededRandom(...parts: Array<string | number>): Random {
  return mulberry32(hash32(parts.join('\u0000')));
}

/** mulberry32: tiny, fast, and good enough for test decisions (not for cryptography). */
export function mulberry32(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * FNV-1a over UTF-16 code units, then murmur3's finaliser: FNV alone leaves names that differ only
 * in their last character (connection 1 vs 2) with nearby seeds.
 */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** An integer in [-spread, spread): Toxiproxy's `rand.Int63n(2*spread) - spread`. */
export function symmetricOffset(spread: number, random: Random): number {
  return spread > 0 ? Math.floor(random() * 2 * spread) - spread : 0;
}

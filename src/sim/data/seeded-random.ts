/** A deterministic pseudo-random source: `next()` in [0, 1). */
export interface SeededRandom {
  next(): number;
  /** Returns an integer in [min, max] (inclusive). */
  int(min: number, max: number): number;
}

/**
 * Returns a small, fast deterministic generator (mulberry32). The simulator's synthetic data must be
 * reproducible run to run, so every source takes a seed instead of using Math.random.
 */
export function seededRandom(seed: number): SeededRandom {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number): number => min + Math.floor(next() * (max - min + 1)),
  };
}

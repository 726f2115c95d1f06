// Seeds for randomized tests: a fixed default that PARLOR_SEED overrides, so a failing run
// (whose seed the test prints) can be replayed exactly.

/** mulberry32: small, fast, and the same sequence in [0, 1) for the same seed. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** FNV-1a: turns a label (seed, node id, incarnation) into a 32-bit seed. */
export function hash32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function envSeed(): number | undefined {
  const raw = process.env.PARLOR_SEED;
  if (raw === undefined || raw.trim() === '') return undefined;
  const seed = Number(raw);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`PARLOR_SEED must be an integer, not ${JSON.stringify(raw)}`);
  return seed >>> 0;
}

/** PARLOR_SEED when set, else `fallback`. */
export function seedFromEnv(fallback: number): number {
  return envSeed() ?? fallback >>> 0;
}

/** [PARLOR_SEED] when set (replay one run), else the `defaults`. */
export function seedsFromEnv(defaults: readonly number[]): number[] {
  const seed = envSeed();
  return seed === undefined ? [...defaults] : [seed];
}

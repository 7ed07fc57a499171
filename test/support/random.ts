/** mulberry32: a small seeded PRNG, so every randomized test replays exactly from its seed. */
export function seededRandom(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)],
    chance: (p: number) => next() < p,
  };
}

/** 'YYYY-MM-DD HH:MM:SS' for a UTC epoch in milliseconds (whole seconds). */
export function utcText(millis: number): string {
  return new Date(Math.floor(millis / 1000) * 1000).toISOString().slice(0, 19).replace('T', ' ');
}

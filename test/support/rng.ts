/**
 * The tests' one seeded generator (a 32-bit LCG): uniform numbers in [0, 1), the same sequence for
 * the same seed on every machine, so planted test data and the thresholds tuned to it stay put.
 */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0
    return s / 4294967296
  }
}

/** A standard normal draw (Box–Muller) from a uniform generator. */
export function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
}

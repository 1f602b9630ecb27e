/**
 * Small deterministic random numbers. Counter-based where it matters: a step's dropout and sampling
 * seeds and an epoch's shuffle derive from (seed, step) or (seed, epoch) alone, so resuming from a
 * checkpoint needs no hidden generator state beyond the step counter.
 */
import type { FillDropoutMask } from '../kernels/dropoutFill'
import { Rng } from '../../../shared/random'

export { Rng }

/** Mixes integers into one 32-bit value (murmur3 finaliser over a running hash). */
export function mixSeed(...parts: number[]): number {
  let h = 0x9e3779b9
  for (const part of parts) {
    let k = Math.imul(part | 0, 0xcc9e2d51)
    k = (k << 15) | (k >>> 17)
    k = Math.imul(k, 0x1b873593)
    h ^= k
    h = (h << 13) | (h >>> 19)
    h = (Math.imul(h, 5) + 0xe6546b64) | 0
    // High bits of large counters (above 2^32) still count.
    h ^= Math.floor(part / 0x100000000) | 0
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/** A seeded Fisher–Yates permutation of 0..n-1. */
export function permutation(n: number, seed: number): Uint32Array {
  const rng = new Rng(seed)
  const p = new Uint32Array(n)
  for (let i = 0; i < n; i++) p[i] = i
  for (let i = n - 1; i > 0; i--) {
    const j = rng.below(i + 1)
    const t = p[i] as number
    p[i] = p[j] as number
    p[j] = t
  }
  return p
}

/** Uniform floats in [lo, hi), for tests and initialisers. */
export function uniformArray(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const rng = new Rng(seed)
  const a = new Float32Array(n)
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * rng.next()
  return a
}

/**
 * An inverted-dropout mask: each entry 1/(1−rate) with probability 1−rate, else 0. Drawn in one tight
 * loop — tf.dropout's seeded randomUniform is several times slower and adds four ops per layer.
 */
export function dropoutMask(size: number, rate: number, seed: number): Float32Array {
  const mask = new Float32Array(size)
  fillDropoutMask(mask, 0, size, rate, seed)
  return mask
}

/**
 * A batch's dropout mask, one independently seeded block per image: image i of a slice starting at
 * `imageOffset` in the global batch uses mixSeed(seed, layer, imageOffset + i). Replicas holding the
 * two halves of a batch therefore draw exactly the masks one replica draws on the whole batch.
 */
export function batchDropoutMask(
  images: number,
  perImage: number,
  rate: number,
  seed: number,
  layer: number,
  imageOffset = 0,
  fill: FillDropoutMask = fillDropoutMask,
): Float32Array {
  const mask = new Float32Array(images * perImage)
  for (let i = 0; i < images; i++) {
    fill(mask, i * perImage, perImage, rate, mixSeed(seed, layer, imageOffset + i))
  }
  return mask
}

/** Writes `size` inverted-dropout entries drawn from `seed` into `mask` from `start`. */
export function fillDropoutMask(
  mask: Float32Array,
  start: number,
  size: number,
  rate: number,
  seed: number,
): void {
  mask.fill(0, start, start + size)
  const keep = 1 - rate
  const scale = 1 / keep
  const threshold = keep * 4294967296
  let s = seed >>> 0
  const end = start + size
  for (let i = start; i < end; i++) {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    if ((t ^ (t >>> 14)) >>> 0 < threshold) mask[i] = scale
  }
}

/**
 * Small vector helpers over latents. Inputs are any array-like of numbers (Float32Array, number[]);
 * outputs are new Float32Array values, never a mutated input.
 */

export type Vec = ArrayLike<number>

function checkSameLength(a: Vec, b: Vec, what: string): void {
  if (a.length !== b.length) {
    throw new Error(`${what}: vectors differ in length (${a.length} vs ${b.length})`)
  }
}

export function add(a: Vec, b: Vec): Float32Array {
  checkSameLength(a, b, 'add')
  const out = new Float32Array(a.length)
  for (let i = 0; i < a.length; i++) out[i] = (a[i] as number) + (b[i] as number)
  return out
}

export function sub(a: Vec, b: Vec): Float32Array {
  checkSameLength(a, b, 'sub')
  const out = new Float32Array(a.length)
  for (let i = 0; i < a.length; i++) out[i] = (a[i] as number) - (b[i] as number)
  return out
}

export function scale(a: Vec, s: number): Float32Array {
  const out = new Float32Array(a.length)
  for (let i = 0; i < a.length; i++) out[i] = (a[i] as number) * s
  return out
}

export function dot(a: Vec, b: Vec): number {
  checkSameLength(a, b, 'dot')
  let s = 0
  for (let i = 0; i < a.length; i++) s += (a[i] as number) * (b[i] as number)
  return s
}

export function norm(a: Vec): number {
  return Math.sqrt(dot(a, a))
}

/** Unit vector in the direction of a; a zero vector has no direction, so it is an error. */
export function normalise(a: Vec): Float32Array {
  const n = norm(a)
  if (!(n > 0) || !Number.isFinite(n)) {
    throw new Error('normalise: the vector has zero (or non-finite) length and no direction')
  }
  return scale(a, 1 / n)
}

export function lerp(a: Vec, b: Vec, t: number): Float32Array {
  checkSameLength(a, b, 'lerp')
  const out = new Float32Array(a.length)
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number
    out[i] = x + ((b[i] as number) - x) * t
  }
  return out
}

/** Below this sin(angle) the great circle is numerically undefined and lerp is as good. */
const PARALLEL_EPS = 1e-6

/**
 * Spherical interpolation: the direction moves along the great circle between a and b at constant
 * angular speed, and the length moves linearly from |a| to |b| (so equal-norm keyframes keep their
 * norm, as a Gaussian prior's typical set wants). Near-parallel, anti-parallel or zero vectors fall
 * back to lerp, where the great circle is undefined or indistinguishable from the chord.
 */
export function slerp(a: Vec, b: Vec, t: number): Float32Array {
  checkSameLength(a, b, 'slerp')
  const na = norm(a)
  const nb = norm(b)
  if (!(na > 0) || !(nb > 0)) return lerp(a, b, t)
  const cos = Math.min(1, Math.max(-1, dot(a, b) / (na * nb)))
  const omega = Math.acos(cos)
  const sin = Math.sin(omega)
  if (sin < PARALLEL_EPS) return lerp(a, b, t)
  const wa = Math.sin((1 - t) * omega) / sin / na
  const wb = Math.sin(t * omega) / sin / nb
  const length = na + (nb - na) * t
  const out = new Float32Array(a.length)
  for (let i = 0; i < a.length; i++) {
    out[i] = ((a[i] as number) * wa + (b[i] as number) * wb) * length
  }
  return out
}

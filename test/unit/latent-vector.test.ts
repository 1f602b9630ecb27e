import { describe, expect, it } from 'vitest'
import {
  add,
  applyVectors,
  dot,
  ease,
  EASING_NAMES,
  lerp,
  norm,
  normalise,
  scale,
  slerp,
  sub,
} from '../../src/shared/latent'
import { seededRandom } from '../support/rng'

const randomVec = (r: () => number, n: number): Float32Array =>
  Float32Array.from({ length: n }, () => r() * 2 - 1)

describe('vector helpers', () => {
  it('match direct loops', () => {
    const r = seededRandom(1)
    const a = randomVec(r, 16)
    const b = randomVec(r, 16)
    let d = 0
    for (let i = 0; i < 16; i++) d += a[i]! * b[i]!
    expect(dot(a, b)).toBeCloseTo(d, 10)
    expect(norm(a)).toBeCloseTo(Math.sqrt(a.reduce((s, x) => s + x * x, 0)), 6)
    add(a, b).forEach((v, i) => expect(v).toBeCloseTo(a[i]! + b[i]!, 6))
    sub(a, b).forEach((v, i) => expect(v).toBeCloseTo(a[i]! - b[i]!, 6))
    scale(a, 3).forEach((v, i) => expect(v).toBeCloseTo(3 * a[i]!, 6))
    expect(norm(normalise(a))).toBeCloseTo(1, 6)
    lerp(a, b, 0.25).forEach((v, i) => expect(v).toBeCloseTo(a[i]! + 0.25 * (b[i]! - a[i]!), 6))
  })

  it('reject mismatched lengths and zero vectors', () => {
    expect(() => dot([1, 2], [1])).toThrow(/differ in length/)
    expect(() => normalise([0, 0, 0])).toThrow(/zero/)
  })
})

describe('slerp', () => {
  it('hits both ends and keeps the norm of equal-norm vectors', () => {
    const r = seededRandom(2)
    const a = scale(normalise(randomVec(r, 64)), 8)
    const b = scale(normalise(randomVec(r, 64)), 8)
    slerp(a, b, 0).forEach((v, i) => expect(v).toBeCloseTo(a[i]!, 4))
    slerp(a, b, 1).forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 4))
    for (const t of [0.1, 0.3, 0.5, 0.77, 0.9]) {
      expect(norm(slerp(a, b, t))).toBeCloseTo(8, 4)
      // lerp shortens the vector in between; slerp must not.
      expect(norm(lerp(a, b, t))).toBeLessThan(7.9)
    }
  })

  it('moves at constant angular speed along the great circle', () => {
    const a = [1, 0, 0]
    const b = [0, 1, 0]
    const m = slerp(a, b, 1 / 3)
    expect(m[0]).toBeCloseTo(Math.cos(Math.PI / 6), 6)
    expect(m[1]).toBeCloseTo(Math.sin(Math.PI / 6), 6)
  })

  it('interpolates the norm linearly for unequal norms', () => {
    const a = [2, 0]
    const b = [0, 4]
    const m = slerp(a, b, 0.5)
    expect(norm(m)).toBeCloseTo(3, 6)
    expect(Math.atan2(m[1]!, m[0]!)).toBeCloseTo(Math.PI / 4, 6)
  })

  it('falls back to lerp for (near-)parallel and zero vectors', () => {
    const a = [1, 2, 3]
    const b = [2, 4, 6]
    expect(Array.from(slerp(a, b, 0.5))).toEqual(Array.from(lerp(a, b, 0.5)))
    expect(Array.from(slerp([0, 0, 0], b, 0.5))).toEqual(Array.from(lerp([0, 0, 0], b, 0.5)))
    slerp(a, [1, 2, 3 + 1e-9], 0.5).forEach((v) => expect(Number.isFinite(v)).toBe(true))
  })
})

describe('easing', () => {
  it.each(EASING_NAMES)('%s maps 0→0, 1→1 and is monotone', (name) => {
    expect(ease(name, 0)).toBe(0)
    expect(ease(name, 1)).toBeCloseTo(1, 12)
    let prev = -Infinity
    for (let i = 0; i <= 1000; i++) {
      const v = ease(name, i / 1000)
      expect(v).toBeGreaterThanOrEqual(prev)
      expect(v).toBeGreaterThanOrEqual(0)
      expect(v).toBeLessThanOrEqual(1)
      prev = v
    }
  })

  it('curves differ as named', () => {
    expect(ease('linear', 0.25)).toBeCloseTo(0.25)
    expect(ease('ease-in', 0.25)).toBeLessThan(0.25)
    expect(ease('ease-out', 0.25)).toBeGreaterThan(0.25)
    expect(ease('ease-in-out', 0.5)).toBeCloseTo(0.5)
  })
})

describe('applyVectors', () => {
  it('adds several scaled vectors to one face', () => {
    const z = [1, 1, 1]
    const out = applyVectors(z, [
      { vector: [1, 0, 0], intensity: 2 },
      { vector: [0, 1, -1], intensity: -0.5 },
    ])
    expect(Array.from(out)).toEqual([3, 0.5, 1.5])
    expect(z).toEqual([1, 1, 1])
  })

  it('names the bad edit', () => {
    expect(() => applyVectors([1, 2], [{ vector: [1], intensity: 1 }])).toThrow(/edit 0/)
  })
})

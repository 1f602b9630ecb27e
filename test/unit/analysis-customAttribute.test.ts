import { describe, expect, it } from 'vitest'
import {
  attributeMakeup,
  fitCustomAttribute,
  groupDirection,
  holdOut,
} from '../../src/main/analysis/customAttribute'
import { seededRandom } from '../support/rng'

const DIM = 4

/** Two groups apart along dimension 0, noise elsewhere. */
function latents(n: number, positive: (i: number) => boolean): Float32Array {
  const random = seededRandom(3)
  const rnd = (): number => random() * 2 - 1
  const out = new Float32Array(n * DIM)
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < DIM; d++) out[i * DIM + d] = rnd()
    out[i * DIM] = out[i * DIM]! + (positive(i) ? 3 : 0)
  }
  return out
}

describe('custom attributes', () => {
  it('points from the mean of the negatives to the mean of the positives, unit length', () => {
    const mu = Float32Array.of(2, 0, 0, 0, 4, 2, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0)
    const v = groupDirection(mu, DIM, [0, 1], [2, 3])!
    // means (3, 1, 0, 0) and (0, 0, 1, 0): difference (3, 1, −1, 0) over √11.
    const len = Math.sqrt(11)
    expect(Array.from(v).map((x) => x * len)).toEqual([
      expect.closeTo(3, 5),
      expect.closeTo(1, 5),
      expect.closeTo(-1, 5),
      expect.closeTo(0, 5),
    ])
    expect(groupDirection(mu, DIM, [], [1])).toBeNull()
    expect(() => groupDirection(mu, DIM, [9], [1])).toThrow(/row 9/)
  })

  it('holds out a seeded share of each group, the same every time', () => {
    const rows = Array.from({ length: 20 }, (_, i) => i * 3)
    const a = holdOut(rows, 0.25, 5)
    expect(a.test.length).toBe(5)
    expect(a.fit.length).toBe(15)
    expect([...a.fit, ...a.test].sort((x, y) => x - y)).toEqual(rows)
    expect(holdOut(rows, 0.25, 5)).toEqual(a)
    expect(holdOut([4], 0.25, 5)).toEqual({ fit: Uint32Array.of(4), test: new Uint32Array(0) })
  })

  it('scores a separable attribute near 1 on held-out faces, and refits on all of them', () => {
    const n = 400
    const isPos = (i: number): boolean => i % 5 === 0
    const mu = latents(n, isPos)
    const pos = Array.from({ length: n }, (_, i) => i).filter(isPos)
    const neg = Array.from({ length: n }, (_, i) => i).filter((i) => !isPos(i))
    const fit = fitCustomAttribute(mu, DIM, pos, neg, { seed: 2 })
    expect(fit.auc).toBeGreaterThan(0.95)
    expect(fit.heldOutPositives).toBe(20)
    expect(fit.heldOutNegatives).toBe(80)
    expect(Array.from(fit.vector!)).toEqual(Array.from(groupDirection(mu, DIM, pos, neg)!))
    // Random groups give a chance-level AUC.
    const random = fitCustomAttribute(mu, DIM, [1, 2, 3, 4, 6, 7, 8, 9], [11, 12, 13, 14, 16, 17])
    expect(random.auc).toBeLessThan(0.95)
  })

  it('counts the share of each attribute in a selection against all faces, unknowns left out', () => {
    const labels = Int8Array.of(1, -1, 1, 0, -1, -1, -1, 1)
    const makeup = attributeMakeup(labels, ['A', 'B'], [0, 1])
    expect(makeup).toEqual([
      { name: 'A', selected: 1, overall: 0.5 },
      { name: 'B', selected: 0, overall: 1 / 3 },
    ])
  })
})

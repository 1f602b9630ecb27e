import { describe, expect, it } from 'vitest'
import {
  klPerDimension,
  latentHistograms,
  latentStatistics,
  nearestNeighbours,
} from '../../src/main/analysis'
import { seededRandom } from '../support/rng'

describe('latentStatistics', () => {
  it('matches direct mean/variance and counts active units', () => {
    const r = seededRandom(1)
    const n = 500
    const dim = 4
    const scales = [1, 0.5, 0.05, 0.001]
    const mu = Float32Array.from(
      { length: n * dim },
      (_, k) => 100 + (r() - 0.5) * scales[k % dim]! * 3,
    )
    const s = latentStatistics(mu, n, dim)
    for (let d = 0; d < dim; d++) {
      let m = 0
      for (let i = 0; i < n; i++) m += mu[i * dim + d]!
      m /= n
      let v = 0
      for (let i = 0; i < n; i++) v += (mu[i * dim + d]! - m) ** 2
      v /= n
      expect(s.mean[d]).toBeCloseTo(m, 6)
      expect(s.variance[d]).toBeCloseTo(v, 6)
    }
    // Var of U(-1.5s, 1.5s)·… = (3s)²/12: 0.75, 0.19, 0.0019, ~0 → two active.
    expect(s.active).toEqual([true, true, false, false])
    expect(s.activeUnits).toBe(2)
  })
})

describe('latentHistograms', () => {
  it('counts every value once, clamps outliers into the end bins, and overlays N(0,1)', () => {
    const mu = Float32Array.from([-10, -0.5, 0.1, 0.2, 3.9, 10])
    const h = latentHistograms(mu, 6, 1, { bins: 8, min: -4, max: 4 })
    const c = Array.from(h.counts[0]!)
    expect(c.reduce((a, b) => a + b, 0)).toBe(6)
    expect(c[0]).toBe(1)
    expect(c[7]).toBe(2)
    expect(c[3]).toBe(1)
    expect(c[4]).toBe(2)
    expect(h.edges).toHaveLength(9)
    expect(h.normalDensity[4]).toBeCloseTo(Math.exp(-0.125) / Math.sqrt(2 * Math.PI), 10)
    expect(h.normalCounts[4]).toBeCloseTo(h.normalDensity[4]! * 6 * 1, 10)
  })
})

describe('klPerDimension', () => {
  it('is zero for the prior and matches the closed form', () => {
    const mu = Float32Array.from([0, 1, 0, -1])
    const logVar = Float32Array.from([0, Math.log(0.25), 0, Math.log(0.25)])
    const kl = klPerDimension(mu, logVar, 2, 2)
    expect(kl[0]).toBeCloseTo(0, 12)
    const one = 0.5 * (1 + 0.25 - Math.log(0.25) - 1)
    expect(kl[1]).toBeCloseTo(one, 6)
  })
})

describe('nearestNeighbours', () => {
  it('agrees with a full sort', () => {
    const r = seededRandom(4)
    const n = 1000
    const dim = 16
    const latents = Float32Array.from({ length: n * dim }, () => r() * 2 - 1)
    const q = Float32Array.from({ length: dim }, () => r() * 2 - 1)
    const all = Array.from({ length: n }, (_, i) => {
      let s = 0
      for (let d = 0; d < dim; d++) s += (latents[i * dim + d]! - q[d]!) ** 2
      return { index: i, distance: Math.sqrt(s) }
    }).sort((a, b) => a.distance - b.distance)
    const got = nearestNeighbours(q, latents, n, dim, 10)
    expect(got.map((g) => g.index)).toEqual(all.slice(0, 10).map((a) => a.index))
    got.forEach((g, i) => expect(g.distance).toBeCloseTo(all[i]!.distance, 5))
  })

  it('excludes rows, handles k > n and breaks ties by index', () => {
    const latents = Float32Array.from([0, 0, 1, 0, 0, 1, 1, 0])
    const got = nearestNeighbours([0, 0], latents, 4, 2, 10, { exclude: [0] })
    expect(got.map((g) => g.index)).toEqual([1, 2, 3])
    expect(() => nearestNeighbours([0], latents, 4, 2, 1)).toThrow(/query has 1/)
  })
})

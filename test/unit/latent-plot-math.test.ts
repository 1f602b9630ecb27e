import { describe, expect, it } from 'vitest'
import { placeByNeighbours, seededSubsample } from '../../src/main/analysis/mapMath'
import { pcaReduce, symmetricEigen } from '../../src/main/analysis/pca'

describe('symmetricEigen', () => {
  it('finds the eigenpairs of a known symmetric matrix, largest first', () => {
    // [[2,1],[1,2]]: eigenvalues 3 (1,1)/√2 and 1 (1,−1)/√2.
    const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2)
    expect(values[0]).toBeCloseTo(3, 10)
    expect(values[1]).toBeCloseTo(1, 10)
    expect(Math.abs(vectors[0] as number)).toBeCloseTo(Math.SQRT1_2, 10)
    expect((vectors[0] as number) * (vectors[1] as number)).toBeGreaterThan(0)
    expect((vectors[2] as number) * (vectors[3] as number)).toBeLessThan(0)
  })

  it('reconstructs a random symmetric matrix from its decomposition', () => {
    const dim = 7
    const m = new Float64Array(dim * dim)
    for (let i = 0; i < dim; i++)
      for (let j = i; j < dim; j++) m[i * dim + j] = m[j * dim + i] = Math.sin(i * 3 + j * 5)
    const { values, vectors } = symmetricEigen(m, dim)
    for (let i = 0; i < dim; i++) {
      for (let j = 0; j < dim; j++) {
        let s = 0
        for (let k = 0; k < dim; k++)
          s +=
            (values[k] as number) *
            (vectors[k * dim + i] as number) *
            (vectors[k * dim + j] as number)
        expect(s).toBeCloseTo(m[i * dim + j] as number, 8)
      }
    }
  })
})

describe('pcaReduce', () => {
  it('keeps the directions of largest variance', async () => {
    // Points spread along (1, 1, 0) a lot and along z a little: one component keeps the spread.
    const n = 50
    const data = new Float32Array(n * 3)
    for (let i = 0; i < n; i++) {
      const t = i - n / 2
      data.set([t + 5, t - 2, (i % 2) * 0.1], i * 3)
    }
    const out = await pcaReduce(data, n, 3, 1)
    expect(out).toHaveLength(n)
    const first = out[0] as number
    const last = out[n - 1] as number
    expect(Math.abs(last - first)).toBeCloseTo((n - 1) * Math.SQRT2, 3)
    expect(Array.from(await pcaReduce(data, n, 3, 3))).toEqual(Array.from(data))
  })
})

describe('seededSubsample', () => {
  it('is distinct, ascending, in range and reproducible', () => {
    const a = seededSubsample(1000, 100, 7)
    expect(a).toHaveLength(100)
    expect(new Set(a).size).toBe(100)
    for (let i = 1; i < a.length; i++) expect(a[i]).toBeGreaterThan(a[i - 1] as number)
    expect(Array.from(seededSubsample(1000, 100, 7))).toEqual(Array.from(a))
    expect(Array.from(seededSubsample(1000, 100, 8))).not.toEqual(Array.from(a))
    expect(Array.from(seededSubsample(5, 10, 1))).toEqual([0, 1, 2, 3, 4])
  })
})

describe('placeByNeighbours', () => {
  it('keeps fitted points and puts the others beside their nearest fitted points', async () => {
    // Two far-apart groups in 2-D; fitted points of group A map near (0,0), of B near (10,10).
    const data = Float32Array.from([
      0, 0, 0.1, 0, 0, 0.1, 50, 50, 50.1, 50, 50, 50.2, 0.05, 0.05, 50.05, 50.05,
    ])
    const fitted = Int32Array.from([0, 1, 2, 3, 4, 5])
    const fittedCoords = Float32Array.from([0, 0, 0.2, 0, 0, 0.2, 10, 10, 10.2, 10, 10, 10.2])
    const coords = await placeByNeighbours(data, 8, 2, fitted, fittedCoords, 3)
    expect(Array.from(coords.subarray(0, 12))).toEqual(Array.from(fittedCoords))
    expect(Math.hypot(coords[12] as number, coords[13] as number)).toBeLessThan(0.3)
    expect(Math.hypot((coords[14] as number) - 10, (coords[15] as number) - 10)).toBeLessThan(0.3)
  })
})

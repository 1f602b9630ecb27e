import { describe, expect, it } from 'vitest'
import { pca2, pcaReduce } from '../../src/main/analysis/pca'
import { Rng } from '../../src/shared/random'
import { CancelledError } from '../../src/shared/progress'

/** n rows whose variance falls along the dimensions, around a non-zero mean. */
function spread(n: number, dim: number, seed: number): Float32Array {
  const rng = new Rng(seed)
  return Float32Array.from({ length: n * dim }, (_, k) => 3 + rng.normal() * (dim - (k % dim)))
}

describe('pca', () => {
  it('gives the 2-D map and the reduction to two dimensions the same coordinates', async () => {
    const n = 300
    const dim = 5
    const data = spread(n, dim, 4)
    const map = await pca2(data, n, dim)
    const reduced = await pcaReduce(data, n, dim, 2)
    expect(Array.from(reduced)).toEqual(Array.from(map.coords))
  })

  it('orients every axis with its largest-magnitude entry positive', async () => {
    const n = 200
    const dim = 4
    const flipped = spread(n, dim, 5).map((x) => -x)
    const { components } = await pca2(flipped, n, dim)
    for (let c = 0; c < 2; c++) {
      const axis = Array.from(components.subarray(c * dim, (c + 1) * dim))
      const big = axis.reduce((b, x) => (Math.abs(x) > Math.abs(b) ? x : b), 0)
      expect(big).toBeGreaterThan(0)
    }
  })

  it('maps one-dimensional rows onto the first axis, the second coordinate zero', async () => {
    const { coords, explainedVariance } = await pca2(Float32Array.from([1, 2, 3, 4]), 4, 1)
    expect(Array.from(coords)).toEqual([-1.5, 0, -0.5, 0, 0.5, 0, 1.5, 0])
    expect(explainedVariance).toEqual([1.25, 0])
  })

  it('stops a reduction when cancelled', async () => {
    const ac = new AbortController()
    ac.abort()
    await expect(
      pcaReduce(spread(50, 4, 6), 50, 4, 2, { signal: ac.signal }),
    ).rejects.toBeInstanceOf(CancelledError)
  })
})

import { describe, expect, it } from 'vitest'
import { nextWeights, shareBounds } from '../../src/main/engine/parallel/encodeShares'

describe('encode shares between replicas', () => {
  it('splits evenly at equal weights and in proportion otherwise, covering every image once', () => {
    expect(shareBounds(64, [1, 1])).toEqual([0, 32, 64])
    expect(shareBounds(65, [1, 1, 1])).toEqual([0, 22, 43, 65])
    expect(shareBounds(64, [3, 1])).toEqual([0, 48, 64])
    expect(shareBounds(0, [1, 2])).toEqual([0, 0, 0])
    for (const [n, w] of [
      [7, [0.3, 0.9]],
      [100, [2, 1, 5]],
      [1, [1, 1]],
    ] as const) {
      const b = shareBounds(n, w)
      expect(b[0]).toBe(0)
      expect(b[b.length - 1]).toBe(n)
      for (let k = 1; k < b.length; k++) expect(b[k]).toBeGreaterThanOrEqual(b[k - 1] as number)
    }
  })

  it('never gives a replica less than a quarter of the mean weight, and ignores bad weights', () => {
    // The mean of 100 and 1 is 50.5: the 1 is raised to 12.625, so the split is 100 : 12.625.
    expect(shareBounds(170, [100, 1])).toEqual([0, 151, 170])
    expect(shareBounds(10, [Number.NaN, 1])).toEqual([0, 5, 10])
    expect(shareBounds(10, [0, 0])).toEqual([0, 5, 10])
  })

  it('blends each measured rate with the previous weight, keeping unmeasured ones', () => {
    expect(nextWeights([0, 0], [32, 32], [16, 32])).toEqual([2, 1])
    expect(nextWeights([2, 1], [40, 24], [10, 24])).toEqual([3, 1])
    expect(nextWeights([2, 1], [64, 0], [20, 0])).toEqual([2.6, 1])
  })
})

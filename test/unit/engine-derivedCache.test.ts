import { describe, expect, it } from 'vitest'
import type { TensorInfo } from '@tensorflow/tfjs-core'
import { DerivedCache } from '../../src/main/engine/kernels/derivedCache'

const tensor = (shape: number[], dataId: object = {}): TensorInfo => ({
  dataId,
  shape,
  dtype: 'float32',
})

describe('DerivedCache', () => {
  it('reuses a derived buffer per source, remakes it for a new shape, frees what it evicts', () => {
    const freed: TensorInfo[] = []
    const cache = new DerivedCache(2, (t) => freed.push(t))
    let made = 0
    const derive = () => {
      made++
      return tensor([made])
    }
    const a = tensor([2, 3])
    const b = tensor([4])
    const first = cache.get(a, derive)
    expect(cache.get(a, derive)).toBe(first)
    expect(made).toBe(1)
    // A reshape shares the dataId but needs its own derivation.
    const reshaped = tensor([3, 2], a.dataId)
    const second = cache.get(reshaped, derive)
    expect(second).not.toBe(first)
    expect(freed).toEqual([first])
    cache.get(b, derive)
    cache.get(reshaped, derive)
    // A third source evicts the least recently used (b), not the one just read.
    cache.get(tensor([5]), derive)
    expect(freed.length).toBe(2)
    expect(cache.size).toBe(2)
    expect(cache.get(reshaped, derive)).toBe(second)
    cache.clear()
    expect(cache.size).toBe(0)
    expect(freed.length).toBe(4)
  })
})

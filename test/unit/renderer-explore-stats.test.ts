import { describe, expect, it } from 'vitest'
import { histogramShape, klOrder } from '../../src/renderer/src/lib/latentStats'

describe('histogram small multiples', () => {
  it('scales bars and the normal curve into one unit box', () => {
    const shape = histogramShape({
      dim: 0,
      edges: [-2, -1, 0, 1, 2],
      counts: [1, 4, 8, 2],
      normal: [2, 6, 6, 2],
    })
    expect(shape.bars).toEqual([
      [0, 0.25, 0.125],
      [0.25, 0.5, 0.5],
      [0.5, 0.75, 1],
      [0.75, 1, 0.25],
    ])
    expect(shape.curve.map(([x]) => x)).toEqual([0.125, 0.375, 0.625, 0.875])
    expect(shape.curve.map(([, y]) => y)).toEqual([0.25, 0.75, 0.75, 0.25])
  })

  it('lets the curve set the scale when it is taller than the bars', () => {
    const shape = histogramShape({ dim: 3, edges: [0, 1, 2], counts: [1, 1], normal: [4, 0] })
    expect(shape.bars.map((b) => b[2])).toEqual([0.25, 0.25])
    expect(shape.curve[0]?.[1]).toBe(1)
  })

  it('survives an empty histogram', () => {
    const shape = histogramShape({ dim: 0, edges: [0, 1], counts: [0], normal: [0] })
    expect(shape.bars).toEqual([[0, 1, 0]])
  })
})

describe('KL chart order', () => {
  it('keeps dimension order or sorts by KL, largest first, ties by dimension', () => {
    const kl = [0.1, 2, 0.5, 2]
    expect(klOrder(kl, false)).toEqual([0, 1, 2, 3])
    expect(klOrder(kl, true)).toEqual([1, 3, 2, 0])
  })
})

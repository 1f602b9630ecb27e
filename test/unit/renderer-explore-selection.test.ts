import { describe, expect, it } from 'vitest'
import { maskForIds, selectedImageIds } from '../../src/shared/selection/lasso'
import { labelMap, withLabel } from '../../src/renderer/src/lib/customLabels'
import { pointsInView } from '../../src/renderer/src/lib/mapThumbnails'
import { makeupRows } from '../../src/renderer/src/lib/selectionMakeup'

describe('the Explore selection in the page', () => {
  it('keeps the selected faces by image id across maps with another point order', () => {
    const mask = Uint8Array.of(0, 1, 1, 0)
    const ids = selectedImageIds(mask, Int32Array.of(40, 30, 10, 20))
    expect(ids).toEqual([10, 30])
    expect(Array.from(maskForIds(Int32Array.of(10, 20, 30, 40, 50), ids))).toEqual([1, 0, 1, 0, 0])
    expect(Array.from(maskForIds(Int32Array.of(1, 2), []))).toEqual([0, 0])
  })

  it('finds the points in view through the screen transform, at most max of them', () => {
    const xs = Float32Array.of(0, 1, 2, 3, NaN)
    const ys = Float32Array.of(0, 1, 2, 3, 0)
    // screen = 10·v + 5 on both axes; the box holds screen 10…30.
    const box = { left: 10, right: 30, top: 10, bottom: 30 }
    expect(Array.from(pointsInView(xs, ys, 10, 5, 10, 5, box, 10))).toEqual([1, 2])
    expect(Array.from(pointsInView(xs, ys, 10, 5, 10, 5, box, 1))).toEqual([1])
  })

  it('charts the attributes furthest from their dataset share first', () => {
    const rows = makeupRows(
      [
        { name: 'A', selected: 0.5, overall: 0.45 },
        { name: 'B', selected: 0.1, overall: 0.6 },
        { name: 'C', selected: 0.9, overall: 0.2 },
      ],
      2,
    )
    expect(rows.map((r) => [r.name, Math.round(r.difference * 100)])).toEqual([
      ['C', 70],
      ['B', -50],
    ])
  })

  it('ticks and unticks hand labels without changing the old map', () => {
    const before = labelMap({ positives: [3], negatives: [5, 3] })
    expect([...before]).toEqual([
      [5, -1],
      [3, 1],
    ])
    const after = withLabel(before, 5, 0)
    expect([...after]).toEqual([[3, 1]])
    expect(before.get(5)).toBe(-1)
    expect(withLabel(null, 7, -1).get(7)).toBe(-1)
  })
})

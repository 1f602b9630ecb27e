import { describe, expect, it } from 'vitest'
import {
  boxPolygon,
  combineSelection,
  maskIndices,
  pointsInBox,
  pointsInPolygon,
  selectModeFor,
} from '../../src/shared/selection/lasso'
import { seededRandom } from '../support/rng'

/** The even–odd rule by brute force over every edge, without the bounding-box shortcut. */
function directInside(x: number, y: number, poly: number[]): boolean {
  let inside = false
  const v = poly.length / 2
  for (let j = 0, p = v - 1; j < v; p = j++) {
    const [xj, yj, xp, yp] = [poly[2 * j]!, poly[2 * j + 1]!, poly[2 * p]!, poly[2 * p + 1]!]
    if (yj > y !== yp > y && x < xj + ((y - yj) * (xp - xj)) / (yp - yj)) inside = !inside
  }
  return inside
}

describe('selection on the map', () => {
  it('selects the points inside a concave lasso and nothing outside it', () => {
    // A U shape: the notch (x 2…4, y 2…6) is outside.
    const u = [0, 0, 6, 0, 6, 6, 4, 6, 4, 2, 2, 2, 2, 6, 0, 6]
    const xs = Float32Array.of(1, 3, 5, 3, 7, -1, 1, 5)
    const ys = Float32Array.of(1, 1, 5, 4, 3, 3, 5, 1)
    expect(Array.from(pointsInPolygon(xs, ys, u))).toEqual([0, 1, 2, 6, 7])
  })

  it('agrees with a direct even–odd test on random points and a random star', () => {
    const random = seededRandom(7)
    const rnd = (): number => random() * 2 - 1
    const star: number[] = []
    for (let k = 0; k < 24; k++) {
      const r = k % 2 === 0 ? 0.9 : 0.35 + 0.3 * Math.abs(rnd())
      const a = (2 * Math.PI * k) / 24
      star.push(r * Math.cos(a), r * Math.sin(a))
    }
    const n = 5000
    const xs = Float32Array.from({ length: n }, rnd)
    const ys = Float32Array.from({ length: n }, rnd)
    const want: number[] = []
    for (let i = 0; i < n; i++) if (directInside(xs[i]!, ys[i]!, star)) want.push(i)
    expect(want.length).toBeGreaterThan(200)
    expect(Array.from(pointsInPolygon(xs, ys, star))).toEqual(want)
  })

  it('selects by box in either corner order, edges included, never non-finite points', () => {
    const xs = Float32Array.of(0, 1, 2, NaN, 1)
    const ys = Float32Array.of(0, 1, 2, 1, Infinity)
    expect(Array.from(pointsInBox(xs, ys, 2, 2, 0, 0))).toEqual([0, 1, 2])
    expect(Array.from(pointsInPolygon(xs, ys, boxPolygon(0.5, 0.5, 3, 3)))).toEqual([1, 2])
  })

  it('ignores degenerate lassos and refuses non-finite vertices', () => {
    expect(pointsInPolygon([0], [0], [0, 0, 1, 1]).length).toBe(0)
    expect(() => pointsInPolygon([0], [0], [0, 0, NaN, 1, 1, 0])).toThrow(/vertex 1/)
  })

  it('replaces, adds or removes by modifier keys', () => {
    expect(selectModeFor({ shiftKey: false, altKey: false })).toBe('replace')
    expect(selectModeFor({ shiftKey: true, altKey: false })).toBe('add')
    expect(selectModeFor({ shiftKey: true, altKey: true })).toBe('remove')
    const start = Uint8Array.of(1, 1, 0, 0, 0)
    expect(Array.from(maskIndices(combineSelection(start, [3], 'replace')))).toEqual([3])
    expect(Array.from(maskIndices(combineSelection(start, [3], 'add')))).toEqual([0, 1, 3])
    expect(Array.from(maskIndices(combineSelection(start, [1, 9], 'remove')))).toEqual([0])
    // The current mask is never changed in place.
    expect(Array.from(start)).toEqual([1, 1, 0, 0, 0])
  })
})

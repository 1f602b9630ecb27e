import { describe, expect, it } from 'vitest'
import type { MapResult } from '../../src/shared/contractLatent'
import {
  buildPointGrid,
  colorBatches,
  decodeBase64,
  decodeMapResult,
  equalAspectDomains,
  nearestPoint,
  pointRadius,
  pointsExtent,
  strideSample,
  type MapPoints,
} from '../../src/renderer/src/lib/mapPoints'
import { seededRandom } from '../support/rng'

const b64 = (view: ArrayBufferView): string =>
  Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64')

function mapResult(xy: number[], ids: number[], colors: number[] | null): MapResult {
  return {
    runId: 1,
    method: 'pca',
    points: ids.length,
    seconds: 0.1,
    coords: b64(new Float32Array(xy)),
    imageIds: b64(new Int32Array(ids)),
    colors: colors ? b64(new Int8Array(colors)) : null,
  }
}

function points(xy: [number, number][], colors: number[] | null = null): MapPoints {
  return decodeMapResult(
    mapResult(
      xy.flat(),
      xy.map((_, i) => i + 100),
      colors,
    ),
  )
}

describe('map result decoding', () => {
  it('unpacks interleaved coordinates, image ids and colours', () => {
    const p = decodeMapResult(mapResult([1.5, -2, 3, 4.25, -0.5, 0], [7, 9, 11], [1, -1, 0]))
    expect(p.count).toBe(3)
    expect([...p.x]).toEqual([1.5, 3, -0.5])
    expect([...p.y]).toEqual([-2, 4.25, 0])
    expect([...p.imageIds]).toEqual([7, 9, 11])
    expect([...(p.colors ?? [])]).toEqual([1, -1, 0])
  })

  it('keeps colours null when the map is not coloured', () => {
    expect(decodeMapResult(mapResult([0, 0], [1], null)).colors).toBeNull()
  })

  it('names the array whose length disagrees with the point count', () => {
    const bad = { ...mapResult([0, 0, 1, 1], [1, 2], null), points: 3 }
    expect(() => decodeMapResult(bad)).toThrow(/coords hold 16 bytes, expected 24/)
    const badIds = { ...mapResult([0, 0, 1, 1], [1], null), points: 2 }
    expect(() => decodeMapResult(badIds)).toThrow(/imageIds/)
    const badColors = mapResult([0, 0, 1, 1], [1, 2], [1])
    expect(() => decodeMapResult(badColors)).toThrow(/colors hold 1 bytes, expected 2/)
  })

  it('decodes base64 into an aligned buffer', () => {
    const bytes = decodeBase64(Buffer.from([1, 2, 3, 250]).toString('base64'))
    expect([...bytes]).toEqual([1, 2, 3, 250])
    expect(bytes.byteOffset).toBe(0)
  })
})

describe('map geometry', () => {
  it('finds the finite extent, ignoring NaN points', () => {
    const p = points([
      [1, 5],
      [NaN, 100],
      [-3, 2],
      [4, -1],
    ])
    expect(pointsExtent(p)).toEqual({ x: [-3, 4], y: [-1, 5] })
  })

  it('gives both axes the same units per pixel and contains the data', () => {
    const d = equalAspectDomains({ x: [0, 10], y: [0, 2] }, 400, 200, 0.05)
    const ux = (d.x[1] - d.x[0]) / 400
    const uy = (d.y[1] - d.y[0]) / 200
    expect(ux).toBeCloseTo(uy, 10)
    expect(d.x[0]).toBeLessThan(0)
    expect(d.x[1]).toBeGreaterThan(10)
    expect(d.y[0]).toBeLessThan(0)
    expect(d.y[1]).toBeGreaterThan(2)
    expect((d.x[0] + d.x[1]) / 2).toBeCloseTo(5)
    expect((d.y[0] + d.y[1]) / 2).toBeCloseTo(1)
  })

  it('groups points by colour, missing first so labelled points draw on top', () => {
    const p = points(
      [
        [0, 0],
        [1, 1],
        [2, 2],
        [3, 3],
        [4, 4],
      ],
      [1, 0, -1, 1, 0],
    )
    const batches = colorBatches(p)
    expect(batches.map((b) => b.key)).toEqual(['missing', 'negative', 'positive'])
    expect(batches.map((b) => [...b.indices])).toEqual([[1, 4], [2], [0, 3]])
    expect(colorBatches(points([[0, 0]]))).toEqual([{ key: 'all', indices: new Uint32Array([0]) }])
  })

  it('finds the nearest point within a radius, and none beyond it', () => {
    const p = points([
      [0, 0],
      [10, 0],
      [10, 10],
      [NaN, NaN],
    ])
    const grid = buildPointGrid(p)
    expect(grid.size).toBe(3)
    expect(nearestPoint(grid, 9, 1, 3)).toBe(1)
    expect(nearestPoint(grid, 9, 9, 3)).toBe(2)
    expect(nearestPoint(grid, 5, 5, 3)).toBeNull()
    expect(nearestPoint(grid, -2, 0, 3)).toBe(0)
    expect(nearestPoint(grid, 30, 30, 3)).toBeNull()
  })

  it('finds the same nearest point as a full scan on a large random map', () => {
    const rnd = seededRandom(5)
    const xy = Array.from(
      { length: 20_000 },
      () => [rnd() * 50, rnd() * 20 - 10] as [number, number],
    )
    const grid = buildPointGrid(points(xy))
    for (let q = 0; q < 300; q++) {
      const x = rnd() * 60 - 5
      const y = rnd() * 30 - 15
      const radius = 0.05 + rnd() * 0.5
      let best: number | null = null
      let bestD = radius * radius
      xy.forEach(([px, py], i) => {
        const d = (px - x) ** 2 + (py - y) ** 2
        if (d < bestD) {
          bestD = d
          best = i
        }
      })
      expect(nearestPoint(grid, x, y, radius)).toBe(best)
    }
  })

  it('samples every k-th index to cap density work', () => {
    expect(strideSample(10, 4)).toEqual([0, 3, 6, 9])
    expect(strideSample(3, 10)).toEqual([0, 1, 2])
  })

  it('draws smaller points for larger maps and grows them with zoom', () => {
    expect(pointRadius(202_599, 1)).toBeLessThan(pointRadius(500, 1))
    expect(pointRadius(202_599, 16)).toBeGreaterThan(pointRadius(202_599, 1))
    expect(pointRadius(10, 1e6)).toBe(8)
  })
})

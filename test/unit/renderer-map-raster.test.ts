import { describe, expect, it } from 'vitest'
import {
  colourTable,
  compositeRaster,
  createRaster,
  footprint,
  hexColour,
  hitCount,
  rasterizePoints,
  resetRaster,
  type RasterPass,
} from '../../src/renderer/src/lib/mapRaster'

const pass = (
  xy: [number, number][],
  layers: number[][],
  size: number,
  disc = false,
): RasterPass => ({
  xs: Float32Array.from(xy, (p) => p[0]),
  ys: Float32Array.from(xy, (p) => p[1]),
  layers: layers.map((l) => Uint32Array.from(l)),
  ax: 1,
  bx: 0,
  ay: 1,
  by: 0,
  size,
  disc,
})

/** RGBA bytes of pixel (x, y). */
function pixel(out: Uint8ClampedArray, width: number, x: number, y: number): number[] {
  const o = (y * width + x) * 4
  return Array.from(out.subarray(o, o + 4))
}

describe('map point raster', () => {
  it('counts each point on the pixels of its square and skips points outside', () => {
    const r = createRaster()
    resetRaster(r, 8, 6)
    // Centres at pixel corners: a 2-px square covers the 2×2 pixels around it.
    const inView = rasterizePoints(
      r,
      pass(
        [
          [3, 3],
          [3, 3],
          [20, 3],
          [NaN, 1],
          [0, 0],
        ],
        [[0, 1, 2, 3, 4]],
        2,
      ),
    )
    expect(inView).toBe(3)
    for (const [x, y] of [
      [2, 2],
      [3, 2],
      [2, 3],
      [3, 3],
    ] as const)
      expect(hitCount(r, 0, x, y)).toBe(2)
    expect(hitCount(r, 0, 4, 3)).toBe(0)
    // The point at the corner keeps only its pixel inside the raster.
    expect(hitCount(r, 0, 0, 0)).toBe(1)
    expect(hitCount(r, 0, 7, 5)).toBe(0)
    resetRaster(r, 8, 6)
    expect(hitCount(r, 0, 3, 3)).toBe(0)
  })

  it('keeps layers apart and saturates a count instead of spilling into the next layer', () => {
    const r = createRaster()
    resetRaster(r, 4, 4)
    const many = Array.from({ length: 40 }, () => [1.5, 1.5] as [number, number])
    rasterizePoints(
      r,
      pass([...many, [1.5, 1.5]], [Array.from({ length: 40 }, (_, i) => i), [40]], 1),
    )
    expect(hitCount(r, 0, 1, 1)).toBe(15)
    expect(hitCount(r, 1, 1, 1)).toBe(1)
    expect(hitCount(r, 2, 1, 1)).toBe(0)
  })

  it('applies the transform to pixel coordinates and draws discs without their corners', () => {
    const disc = footprint(5, true)
    const cells = new Set<string>()
    for (let o = 0; o < disc.length; o += 2) cells.add(`${disc[o]},${disc[o + 1]}`)
    expect(cells.has('2,2')).toBe(true)
    expect(cells.has('0,2')).toBe(true)
    expect(cells.has('0,0')).toBe(false)
    expect(footprint(5, false).length / 2).toBe(25)
    const r = createRaster()
    resetRaster(r, 20, 20)
    rasterizePoints(r, { ...pass([[1, 2]], [[0]], 5, true), ax: 4, bx: 2, ay: -3, by: 18 })
    // Centre (6, 12): the 5-px box starts at (4, 10) and its middle pixel is (6, 12).
    expect(hitCount(r, 0, 6, 12)).toBe(1)
    expect(hitCount(r, 0, 4, 10)).toBe(0)
    expect(hitCount(r, 0, 4, 12)).toBe(1)
  })

  it('composites like filling the layers one after another with the given opacity', () => {
    const red = hexColour('#ff0000')
    const blue = hexColour('#0000ff')
    expect(red).toEqual([255, 0, 0])
    const r = createRaster()
    resetRaster(r, 3, 1)
    // Pixel 0: one red hit. Pixel 1: two red hits. Pixel 2: red under blue.
    rasterizePoints(
      r,
      pass(
        [
          [0.5, 0.5],
          [1.5, 0.5],
          [1.5, 0.5],
          [2.5, 0.5],
          [2.5, 0.5],
        ],
        [[0, 1, 2, 3], [4]],
        1,
      ),
    )
    const out = new Uint8ClampedArray(3 * 4)
    compositeRaster(r, [red, blue], 0.5, out)
    expect(pixel(out, 3, 0, 0)).toEqual([255, 0, 0, 128])
    expect(pixel(out, 3, 1, 0)).toEqual([255, 0, 0, 191])
    // Source-over of blue (a 0.5) on red (a 0.5): a = 0.75, colour = (red·0.25 + blue·0.5) / 0.75.
    expect(pixel(out, 3, 2, 0)).toEqual([85, 0, 170, 191])
    resetRaster(r, 3, 1)
    compositeRaster(r, [red, blue], 0.5, out)
    expect(Array.from(out).every((v, i) => i % 4 !== 3 || v === 0)).toBe(true)
  })

  it('has one colour per key: 16 for one layer, 4096 for three', () => {
    expect(colourTable([[1, 2, 3]], 0.5)).toHaveLength(16)
    const three = colourTable(
      [
        [10, 0, 0],
        [0, 10, 0],
        [0, 0, 10],
      ],
      0.5,
    )
    expect(three).toHaveLength(4096)
    expect(three[0]).toBe(0)
  })
})

import { describe, expect, it } from 'vitest'
import {
  col2im,
  type ConvGeometry,
  im2col,
  im2colTransposed,
  patchCols,
  patchRows,
  transpose2d,
} from '../../src/main/engine/kernels/im2col'
import { uniformArray } from '../../src/main/engine/model/rng'

const g: ConvGeometry = {
  batch: 2,
  inH: 5,
  inW: 4,
  inC: 3,
  outH: 3,
  outW: 2,
  outC: 1,
  kH: 3,
  kW: 3,
  strideH: 2,
  strideW: 2,
  padTop: 1,
  padLeft: 0,
}

/** Direct definition: the input value under patch row p, column k, or 0 in the padding. */
function patchValue(x: Float32Array, p: number, k: number): number {
  const ox = p % g.outW
  const oy = Math.floor(p / g.outW) % g.outH
  const n = Math.floor(p / (g.outW * g.outH))
  const ci = k % g.inC
  const kx = Math.floor(k / g.inC) % g.kW
  const ky = Math.floor(k / (g.inC * g.kW))
  const iy = oy * g.strideH - g.padTop + ky
  const ix = ox * g.strideW - g.padLeft + kx
  if (iy < 0 || iy >= g.inH || ix < 0 || ix >= g.inW) return 0
  return x[((n * g.inH + iy) * g.inW + ix) * g.inC + ci] as number
}

describe('im2col family', () => {
  const x = uniformArray(g.batch * g.inH * g.inW * g.inC, 3)
  const rows = patchRows(g)
  const cols = patchCols(g)

  it('im2col gathers each receptive field, zero-padded', () => {
    const a = new Float32Array(rows * cols).fill(NaN)
    im2col(x, g, a)
    for (let p = 0; p < rows; p++) {
      for (let k = 0; k < cols; k++) {
        expect(a[p * cols + k]).toBe(patchValue(x, p, k))
      }
    }
  })

  it.each([
    ['the small geometry', g],
    [
      'stride 1, padding on both sides',
      { ...g, inH: 6, inW: 7, outH: 6, outW: 7, strideH: 1, strideW: 1, padTop: 1, padLeft: 1 },
    ],
    ['stride 2, 5×3 taps', { ...g, inW: 9, outW: 5, kH: 5, kW: 3, padLeft: 1, padTop: 2, outH: 3 }],
  ] as [string, ConvGeometry][])('im2colTransposed is im2col transposed (%s)', (_, geo) => {
    const input = uniformArray(geo.batch * geo.inH * geo.inW * geo.inC, 5)
    const r = patchRows(geo)
    const k = patchCols(geo)
    const a = new Float32Array(r * k)
    im2col(input, geo, a)
    const t = new Float32Array(r * k).fill(NaN)
    im2colTransposed(input, geo, t)
    const expected = new Float32Array(r * k)
    transpose2d(a, r, k, expected)
    expect(Array.from(t)).toEqual(Array.from(expected))
  })

  it('col2im is the adjoint of im2col: <im2col(x), c> = <x, col2im(c)>', () => {
    const c = uniformArray(rows * cols, 4)
    const a = new Float32Array(rows * cols)
    im2col(x, g, a)
    const back = new Float32Array(x.length).fill(7)
    col2im(c, g, back)
    let lhs = 0
    let rhs = 0
    for (let i = 0; i < a.length; i++) lhs += (a[i] as number) * (c[i] as number)
    for (let i = 0; i < x.length; i++) rhs += (x[i] as number) * (back[i] as number)
    expect(Math.abs(lhs - rhs) / Math.abs(lhs)).toBeLessThan(1e-5)
  })

  it('transpose2d', () => {
    const out = new Float32Array(6)
    transpose2d(new Float32Array([1, 2, 3, 4, 5, 6]), 2, 3, out)
    expect(Array.from(out)).toEqual([1, 4, 2, 5, 3, 6])
  })
})

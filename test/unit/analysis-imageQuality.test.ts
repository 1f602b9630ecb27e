import { describe, expect, it } from 'vitest'
import {
  activeUnits,
  laplacianVariance,
  meanSsim,
  relativeSharpness,
  SSIM_WINDOW,
  ssimPlane,
} from '../../src/main/analysis/imageQuality'
import { Rng, uniformArray } from '../../src/main/engine/model/rng'

/** SSIM straight from its definition: each 11×11 window's weighted statistics, one by one. */
function directSsim(a: Float64Array, b: Float64Array, side: number): number {
  const k = 11
  let sum = 0
  let windows = 0
  for (let y = 0; y + k <= side; y++)
    for (let x = 0; x + k <= side; x++) {
      let ma = 0
      let mb = 0
      for (let i = 0; i < k; i++)
        for (let j = 0; j < k; j++) {
          const w = (SSIM_WINDOW[i] as number) * (SSIM_WINDOW[j] as number)
          ma += w * (a[(y + i) * side + x + j] as number)
          mb += w * (b[(y + i) * side + x + j] as number)
        }
      let va = 0
      let vb = 0
      let cov = 0
      for (let i = 0; i < k; i++)
        for (let j = 0; j < k; j++) {
          const w = (SSIM_WINDOW[i] as number) * (SSIM_WINDOW[j] as number)
          const da = (a[(y + i) * side + x + j] as number) - ma
          const db = (b[(y + i) * side + x + j] as number) - mb
          va += w * da * da
          vb += w * db * db
          cov += w * da * db
        }
      const c1 = 1e-4
      const c2 = 9e-4
      sum += ((2 * ma * mb + c1) * (2 * cov + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2))
      windows++
    }
  return sum / windows
}

function plane(side: number, seed: number): Float64Array {
  return Float64Array.from(uniformArray(side * side, seed, 0, 1))
}

describe('SSIM', () => {
  it('matches the window-by-window definition', () => {
    const side = 16
    const a = plane(side, 1)
    const b = a.map((v, i) => Math.min(1, Math.max(0, v + 0.2 * ((i % 7) / 7 - 0.5))))
    expect(ssimPlane(a, b, side)).toBeCloseTo(directSsim(a, b, side), 10)
    const c = plane(side, 2)
    expect(ssimPlane(a, c, side)).toBeCloseTo(directSsim(a, c, side), 10)
  })

  it('is 1 for identical images and lower for a noisier copy, across RGB and RGBA packings', () => {
    const side = 16
    const rng = new Rng(3)
    const rgb = new Uint8Array(2 * side * side * 3).map(() => rng.below(256))
    const rgba = new Uint8Array(2 * side * side * 4)
    const noisy = new Uint8Array(2 * side * side * 4)
    for (let p = 0; p < 2 * side * side; p++) {
      for (let c = 0; c < 3; c++) {
        rgba[p * 4 + c] = rgb[p * 3 + c] as number
        noisy[p * 4 + c] = Math.min(255, (rgb[p * 3 + c] as number) + rng.below(60))
      }
      rgba[p * 4 + 3] = 255
    }
    expect(meanSsim(rgb, 3, rgba, 4, 2, side)).toBeCloseTo(1, 12)
    expect(meanSsim(rgb, 3, noisy, 4, 2, side)).toBeLessThan(0.99)
  })

  it('refuses images smaller than its window', () => {
    expect(() => ssimPlane(new Float64Array(64), new Float64Array(64), 8)).toThrow(/window/)
  })
})

describe('sharpness', () => {
  it('computes the variance of the 4-neighbour Laplacian over the interior', () => {
    const side = 5
    const p = plane(side, 4)
    const values: number[] = []
    for (let y = 1; y < 4; y++)
      for (let x = 1; x < 4; x++) {
        const at = (yy: number, xx: number) => p[yy * side + xx] as number
        values.push(at(y - 1, x) + at(y + 1, x) + at(y, x - 1) + at(y, x + 1) - 4 * at(y, x))
      }
    const mean = values.reduce((s, v) => s + v, 0) / values.length
    const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length
    expect(laplacianVariance(p, side)).toBeCloseTo(variance, 12)
  })

  it('is 1 for real faces against themselves and falls for a blurred copy', () => {
    const side = 12
    const rng = new Rng(5)
    const real = new Uint8Array(side * side * 3).map(() => rng.below(256))
    const blurred = new Uint8Array(side * side * 4)
    for (let y = 0; y < side; y++)
      for (let x = 0; x < side; x++)
        for (let c = 0; c < 3; c++) {
          const at = (yy: number, xx: number) =>
            real[
              ((Math.min(side - 1, yy) * side + Math.min(side - 1, xx)) * 3 + c) as number
            ] as number
          blurred[(y * side + x) * 4 + c] =
            (at(y, x) + at(y, x + 1) + at(y + 1, x) + at(y + 1, x + 1)) / 4
        }
    expect(relativeSharpness(real, 3, 1, real, 3, 1, side)).toBeCloseTo(1, 12)
    expect(relativeSharpness(blurred, 4, 1, real, 3, 1, side)).toBeLessThan(0.5)
  })
})

describe('active units', () => {
  it('counts the dimensions whose μ varies by more than 0.01', () => {
    // dim 0 varies (variance 0.25), dim 1 is constant, dim 2 varies a little (variance 0.0025).
    const mu = Float32Array.from([0.5, 3, 0.05, -0.5, 3, -0.05, 0.5, 3, 0.05, -0.5, 3, -0.05])
    expect(activeUnits(mu, 3)).toBe(1)
    expect(activeUnits(mu, 3, 0.001)).toBe(2)
    expect(() => activeUnits(mu, 5)).toThrow(/n × 5/)
  })
})

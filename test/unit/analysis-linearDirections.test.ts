import { describe, expect, it } from 'vitest'
import { attributeVectorAucs, computeAttributeVectors } from '../../src/main/analysis'
import {
  computeLinearAttributeVectors,
  fitLogistic,
} from '../../src/main/analysis/linearDirections'
import { Rng } from '../../src/main/engine/model/rng'

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0
  let aa = 0
  let bb = 0
  for (let i = 0; i < a.length; i++) {
    ab += (a[i] as number) * (b[i] as number)
    aa += (a[i] as number) ** 2
    bb += (b[i] as number) ** 2
  }
  return ab / Math.sqrt(aa * bb)
}

describe('logistic regression by Newton steps', () => {
  it('finds the normal of a separable toy problem and classifies it perfectly', () => {
    const rng = new Rng(3)
    const truth = [2, -1, 0.5]
    const m = 400
    const x = new Float64Array(m * 3)
    const y = new Uint8Array(m)
    for (let i = 0; i < m; i++) {
      let s = 0
      for (let d = 0; d < 3; d++) {
        x[i * 3 + d] = rng.normal()
        s += (truth[d] as number) * (x[i * 3 + d] as number)
      }
      // A margin around the plane s = 0.3 keeps the classes apart.
      if (Math.abs(s - 0.3) < 0.2) x[i * 3] = (x[i * 3] as number) + (s > 0.3 ? 0.3 : -0.3)
      y[i] = truth.reduce((acc, t, d) => acc + t * (x[i * 3 + d] as number), 0) > 0.3 ? 1 : 0
    }
    const fit = fitLogistic(x, y, 3, { l2: 1e-4 })
    expect(fit.converged).toBe(true)
    expect(cosine(fit.weights, truth)).toBeGreaterThan(0.99)
    for (let i = 0; i < m; i++) {
      const z = fit.bias + fit.weights.reduce((s, w, d) => s + w * (x[i * 3 + d] as number), 0)
      expect(z > 0 ? 1 : 0, `row ${i}`).toBe(y[i])
    }
  })

  it('stops where the regularised log-loss has zero gradient (checked directly)', () => {
    const rng = new Rng(4)
    const m = 300
    const dim = 4
    const x = new Float64Array(m * dim).map(() => rng.normal())
    const y = new Uint8Array(m).map((_, i) =>
      rng.next() < 1 / (1 + Math.exp(-(x[i * dim] as number))) ? 1 : 0,
    )
    const l2 = 0.05
    const fit = fitLogistic(x, y, dim, { l2 })
    const g = new Float64Array(dim + 1)
    for (let i = 0; i < m; i++) {
      let z = fit.bias
      for (let d = 0; d < dim; d++) z += (fit.weights[d] as number) * (x[i * dim + d] as number)
      const r = 1 / (1 + Math.exp(-z)) - (y[i] as number)
      for (let d = 0; d < dim; d++) g[d] = (g[d] as number) + (r * (x[i * dim + d] as number)) / m
      g[dim] = (g[dim] as number) + r / m
    }
    for (let d = 0; d < dim; d++) g[d] = (g[d] as number) + l2 * (fit.weights[d] as number)
    for (const v of g) expect(Math.abs(v)).toBeLessThan(1e-9)
    // The informative first dimension carries the weight.
    expect(Math.abs(fit.weights[0] as number)).toBeGreaterThan(
      3 * Math.abs(fit.weights[1] as number),
    )
  })

  it('is deterministic and rejects a matrix of the wrong size', () => {
    const x = Float64Array.from([0, 1, 1, 0, 2, 2, -1, -1])
    const y = Uint8Array.from([0, 1, 1, 0])
    expect(fitLogistic(x, y, 2)).toEqual(fitLogistic(x, y, 2))
    expect(() => fitLogistic(x, y, 3)).toThrow(/expected 4×3/)
  })
})

describe('linear attribute vectors', () => {
  it('separates correlated latents better than the difference of means', () => {
    // The class shifts dimension 0, but dimension 1 carries the same correlated noise: the
    // classifier learns to subtract it, the mean difference cannot.
    const rng = new Rng(5)
    const n = 2000
    const dim = 2
    const latents = new Float32Array(n * dim)
    const labels = new Int8Array(n)
    for (let i = 0; i < n; i++) {
      const label = rng.next() < 0.5 ? 1 : -1
      const noise = rng.normal() * 2
      latents[i * 2] = 0.5 * label + noise + 0.2 * rng.normal()
      latents[i * 2 + 1] = noise + 0.2 * rng.normal()
      labels[i] = label
    }
    const train = Uint32Array.from({ length: n / 2 }, (_, i) => i)
    const test = Uint32Array.from({ length: n / 2 }, (_, i) => n / 2 + i)
    const linear = computeLinearAttributeVectors(latents, n, dim, labels, 1, train)
    const meanDiff = computeAttributeVectors(latents, n, dim, labels, 1)
    const [linearAuc] = attributeVectorAucs(latents, n, dim, labels, 1, linear.vectors, test)
    const [meanAuc] = attributeVectorAucs(latents, n, dim, labels, 1, meanDiff.vectors, test)
    expect(linear.valid).toEqual([true])
    expect(linear.positives[0]! + linear.negatives[0]!).toBe(n / 2)
    expect(linearAuc).toBeGreaterThan(0.95)
    expect(linearAuc!).toBeGreaterThan(meanAuc! + 0.1)
    expect(Math.hypot(linear.vectors[0]!, linear.vectors[1]!)).toBeCloseTo(1, 6)
  })

  it('leaves out unknown labels, marks a one-class attribute invalid and names a bad label', () => {
    const latents = Float32Array.from([0, 1, 1, 0, 2, 2, -1, -1])
    const labels = Int8Array.from([1, 1, -1, 1, 0, 1, -1, 1])
    const r = computeLinearAttributeVectors(latents, 4, 2, labels, 2)
    expect(r.valid).toEqual([true, false])
    expect(Array.from(r.positives)).toEqual([1, 4])
    expect(Array.from(r.negatives)).toEqual([2, 0])
    expect(Array.from(r.vectors.subarray(2))).toEqual([0, 0])
    expect(() =>
      computeLinearAttributeVectors(latents, 4, 2, Int8Array.from([1, 1, 2, 1, 0, 1, -1, 1]), 2),
    ).toThrow(/row 1, attribute 0: 2/)
  })
})

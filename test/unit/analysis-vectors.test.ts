import { describe, expect, it } from 'vitest'
import {
  attributeVectorAucs,
  computeAttributeVectors,
  conditionalVector,
  rocAuc,
  vectorRow,
} from '../../src/main/analysis'
import { dot, norm } from '../../src/shared/latent'
import { seededRandom } from '../support/rng'

function fixture(n: number, dim: number, attrs: number, seed = 3) {
  const r = seededRandom(seed)
  const latents = Float32Array.from({ length: n * dim }, () => r() * 2 - 1)
  const labels = Int8Array.from({ length: n * attrs }, () => {
    const u = r()
    return u < 0.3 ? 1 : u < 0.95 ? -1 : 0
  })
  // Attribute a shifts dimension a, so vectors have a known dominant direction.
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < attrs; a++) {
      if (labels[i * attrs + a] === 1) latents[i * dim + a] = latents[i * dim + a]! + 1.5
    }
  }
  return { latents, labels }
}

describe('computeAttributeVectors', () => {
  it('matches the naive mean difference per attribute, unknown labels ignored', () => {
    const n = 300
    const dim = 8
    const A = 5
    const { latents, labels } = fixture(n, dim, A)
    const result = computeAttributeVectors(latents, n, dim, labels, A)
    for (let a = 0; a < A; a++) {
      const pos = new Float64Array(dim)
      const neg = new Float64Array(dim)
      let np = 0
      let nn = 0
      for (let i = 0; i < n; i++) {
        const l = labels[i * A + a]
        const target = l === 1 ? pos : l === -1 ? neg : null
        if (!target) continue
        if (l === 1) np++
        else nn++
        for (let d = 0; d < dim; d++) target[d]! += latents[i * dim + d]!
      }
      const diff = Array.from(pos, (p, d) => p / np - neg[d]! / nn)
      const len = Math.sqrt(diff.reduce((s, x) => s + x * x, 0))
      const v = vectorRow(result.vectors, dim, a)
      v.forEach((x, d) => expect(x).toBeCloseTo(diff[d]! / len, 5))
      expect(result.positives[a]).toBe(np)
      expect(result.negatives[a]).toBe(nn)
      expect(result.valid[a]).toBe(true)
      // The planted shift dominates.
      expect(Math.abs(v[a]!)).toBeGreaterThan(0.8)
    }
  })

  it('marks an attribute with an empty class invalid', () => {
    const latents = Float32Array.from([1, 2, 3, 4])
    const labels = Int8Array.from([1, 1, -1, 1])
    const r = computeAttributeVectors(latents, 2, 2, labels, 2)
    expect(r.valid).toEqual([true, false])
    expect(Array.from(vectorRow(r.vectors, 2, 1))).toEqual([0, 0])
  })

  it('rejects bad labels and shapes with the position', () => {
    expect(() => computeAttributeVectors(new Float32Array(4), 2, 2, [1, 5], 1)).toThrow(
      /row 1, attribute 0/,
    )
    expect(() => computeAttributeVectors(new Float32Array(3), 2, 2, [1, 1], 1)).toThrow(
      /expected 2×2/,
    )
  })
})

describe('conditionalVector', () => {
  it('is orthogonal to every condition and unit length', () => {
    const r = seededRandom(9)
    const dim = 32
    const rand = () => Float32Array.from({ length: dim }, () => r() - 0.5)
    const target = rand()
    const others = [rand(), rand(), rand()]
    const v = conditionalVector(target, others)
    expect(norm(v)).toBeCloseTo(1, 5)
    for (const o of others) expect(Math.abs(dot(v, o))).toBeLessThan(1e-5)
    // It still points along the target.
    expect(dot(v, target)).toBeGreaterThan(0)
  })

  it('equals the plain projection for one condition', () => {
    const v = conditionalVector([1, 1, 0], [[1, 0, 0]])
    expect(v[0]).toBeCloseTo(0, 6)
    expect(v[1]).toBeCloseTo(1, 6)
  })

  it('copes with dependent conditions and refuses a target inside their span', () => {
    const v = conditionalVector(
      [1, 1, 1],
      [
        [1, 0, 0],
        [2, 0, 0],
      ],
    )
    expect(Math.abs(v[0]!)).toBeLessThan(1e-6)
    expect(() =>
      conditionalVector(
        [1, 2, 0],
        [
          [1, 0, 0],
          [0, 1, 0],
        ],
      ),
    ).toThrow(/span/)
  })
})

describe('rocAuc', () => {
  function naiveAuc(scores: number[], labels: number[]): number {
    let wins = 0
    let pairs = 0
    scores.forEach((sp, i) => {
      if (labels[i] !== 1) return
      scores.forEach((sn, j) => {
        if (labels[j] !== -1) return
        pairs++
        wins += sp > sn ? 1 : sp === sn ? 0.5 : 0
      })
    })
    return wins / pairs
  }

  it('is 1 for perfect separation, 0 for reversed, 0.5 for all ties', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [-1, -1, 1, 1])).toBe(1)
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [-1, -1, 1, 1])).toBe(0)
    expect(rocAuc([1, 1, 1, 1], [-1, 1, -1, 1])).toBe(0.5)
  })

  it('matches pair counting with ties and ignores unlabelled rows', () => {
    const r = seededRandom(5)
    const scores = Array.from({ length: 200 }, () => Math.round(r() * 10) / 2)
    const labels = Array.from({ length: 200 }, () => (r() < 0.4 ? 1 : r() < 0.9 ? -1 : 0))
    expect(rocAuc(scores, labels)).toBeCloseTo(naiveAuc(scores, labels), 12)
    expect(rocAuc([1, 2, 3], [1, -1, 1])).toBeCloseTo(0.5)
  })

  it('is null when a class is empty', () => {
    expect(rocAuc([1, 2], [1, 1])).toBeNull()
    expect(rocAuc([1, 2], [-1, 0])).toBeNull()
    expect(rocAuc([], [])).toBeNull()
  })

  it('scores attribute vectors on chosen rows', () => {
    const n = 400
    const dim = 6
    const A = 3
    const { latents, labels } = fixture(n, dim, A, 11)
    const { vectors } = computeAttributeVectors(latents, n, dim, labels, A)
    const rows = Uint32Array.from({ length: 100 }, (_, i) => 300 + i)
    const aucs = attributeVectorAucs(latents, n, dim, labels, A, vectors, rows)
    for (let a = 0; a < A; a++) {
      const scores: number[] = []
      const lab: number[] = []
      for (const i of rows) {
        scores.push(dot(latents.subarray(i * dim, (i + 1) * dim), vectorRow(vectors, dim, a)))
        lab.push(labels[i * A + a]!)
      }
      expect(aucs[a]).toBeCloseTo(naiveAuc(scores, lab), 6)
      expect(aucs[a]!).toBeGreaterThan(0.75)
    }
  })
})

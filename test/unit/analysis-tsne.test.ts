import { describe, expect, it } from 'vitest'
import {
  conditionalAffinities,
  neighbourGraph,
  symmetricAffinities,
  tsne2,
} from '../../src/main/analysis/tsne'
import { CancelledError, type ProgressUpdate } from '../../src/shared/progress'
import { seededRandom, gaussian } from '../support/rng'

/** n points in `dim` dimensions around `clusters` centres 10 apart (unit noise per coordinate). */
function clustered(
  n: number,
  dim: number,
  clusters: number,
  seed: number,
): { data: Float32Array; label: Int32Array } {
  const r = seededRandom(seed)
  const centres = Array.from({ length: clusters }, () =>
    Float64Array.from({ length: dim }, () => gaussian(r) * 4),
  )
  const data = new Float32Array(n * dim)
  const label = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    const c = i % clusters
    label[i] = c
    for (let d = 0; d < dim; d++) data[i * dim + d] = centres[c]![d]! + gaussian(r)
  }
  return { data, label }
}

/** Share of points whose nearest other point in the 2-D map carries the same label. */
function nearestLabelAgreement(coords: Float32Array, label: Int32Array): number {
  const n = label.length
  let same = 0
  for (let i = 0; i < n; i++) {
    let best = Infinity
    let bestJ = -1
    for (let j = 0; j < n; j++) {
      if (j === i) continue
      const d =
        (coords[2 * i]! - coords[2 * j]!) ** 2 + (coords[2 * i + 1]! - coords[2 * j + 1]!) ** 2
      if (d < best) {
        best = d
        bestJ = j
      }
    }
    if (label[bestJ] === label[i]) same++
  }
  return same / n
}

describe('t-SNE input affinities', () => {
  it('finds the exact nearest neighbours, nearest first', async () => {
    const n = 200
    const dim = 5
    const { data } = clustered(n, dim, 3, 7)
    const k = 12
    const graph = await neighbourGraph(data, n, dim, k)
    for (const i of [0, 57, 199]) {
      const all = Array.from({ length: n }, (_, j) => j)
        .filter((j) => j !== i)
        .map((j) => {
          let s = 0
          for (let d = 0; d < dim; d++) s += (data[i * dim + d]! - data[j * dim + d]!) ** 2
          return { j, s }
        })
        .sort((a, b) => a.s - b.s)
      const found = Array.from(graph.distances2.subarray(i * k, (i + 1) * k))
      found.forEach((s, t) => expect(s).toBeCloseTo(all[t]!.s, 4))
      expect(new Set(graph.indices.subarray(i * k, (i + 1) * k))).toEqual(
        new Set(all.slice(0, k).map((a) => a.j)),
      )
    }
  })

  it('calibrates each row to the target perplexity', async () => {
    const n = 400
    const dim = 10
    const { data } = clustered(n, dim, 4, 3)
    for (const perplexity of [5, 30]) {
      const k = 3 * perplexity
      const graph = await neighbourGraph(data, n, dim, k)
      const p = conditionalAffinities(graph, n, perplexity)
      for (let i = 0; i < n; i++) {
        let sum = 0
        let entropy = 0
        for (let j = 0; j < k; j++) {
          const v = p[i * k + j]!
          sum += v
          if (v > 0) entropy -= v * Math.log(v)
        }
        expect(sum).toBeCloseTo(1, 10)
        expect(Math.abs(entropy - Math.log(perplexity))).toBeLessThan(1e-4)
      }
    }
  })

  it('symmetrises P so that P_ij = P_ji and everything sums to 1', async () => {
    const n = 150
    const dim = 4
    const { data } = clustered(n, dim, 2, 5)
    const graph = await neighbourGraph(data, n, dim, 15)
    const p = symmetricAffinities(graph, conditionalAffinities(graph, n, 5), n)
    const dense = new Float64Array(n * n)
    for (let i = 0; i < n; i++) {
      const cols = new Set<number>()
      for (let e = p.rowStart[i]!; e < p.rowStart[i + 1]!; e++) {
        expect(cols.has(p.columns[e]!)).toBe(false)
        cols.add(p.columns[e]!)
        dense[i * n + p.columns[e]!] = p.values[e]!
      }
    }
    let total = 0
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        total += dense[i * n + j]!
        expect(dense[i * n + j]).toBeCloseTo(dense[j * n + i]!, 12)
      }
    expect(total).toBeCloseTo(1, 10)
  })
})

describe('tsne2', () => {
  it('keeps well-separated clusters in 20-D apart in the map', async () => {
    const n = 500
    const { data, label } = clustered(n, 20, 5, 11)
    const phases = new Set<string>()
    const { coords } = await tsne2(
      data,
      n,
      20,
      { seed: 1 },
      { onProgress: (u) => phases.add(u.phase) },
    )
    expect(coords).toHaveLength(2 * n)
    expect(coords.every(Number.isFinite)).toBe(true)
    expect(nearestLabelAgreement(coords, label)).toBeGreaterThanOrEqual(0.95)
    expect([...phases]).toEqual(['neighbours', 'affinities', 'layout'])
  })

  it('gives the same map for the same seed and a different one for another seed', async () => {
    const n = 300
    const { data } = clustered(n, 8, 3, 4)
    const options = { seed: 9, iterations: 300 }
    const a = await tsne2(data, n, 8, options)
    const b = await tsne2(data, n, 8, options)
    const c = await tsne2(data, n, 8, { ...options, seed: 10 })
    expect(b.coords).toEqual(a.coords)
    expect(c.coords).not.toEqual(a.coords)
  })

  it('stops between iterations when cancelled', async () => {
    const n = 300
    const { data } = clustered(n, 8, 3, 6)
    const ac = new AbortController()
    const updates: ProgressUpdate[] = []
    const run = tsne2(
      data,
      n,
      8,
      {},
      {
        signal: ac.signal,
        onProgress: (u) => {
          updates.push(u)
          if (u.phase === 'layout' && u.done >= 50) ac.abort()
        },
      },
    )
    await expect(run).rejects.toBeInstanceOf(CancelledError)
    const last = updates[updates.length - 1]!
    expect(last.phase).toBe('layout')
    expect(last.done).toBe(50)
  })

  it('copes with tiny inputs and rejects bad ones', async () => {
    const two = await tsne2(Float32Array.from([0, 0, 1, 1]), 2, 2, { iterations: 50 })
    expect(two.coords.every(Number.isFinite)).toBe(true)
    await expect(tsne2(new Float32Array(5), 2, 2)).rejects.toThrow(/expected 2×2/)
    await expect(tsne2(new Float32Array(2), 1, 2)).rejects.toThrow(/at least 2 points/)
    await expect(tsne2(new Float32Array(8), 4, 2, { perplexity: 0 })).rejects.toThrow(/perplexity/)
  })
})

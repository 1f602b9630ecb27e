import { describe, expect, it } from 'vitest'
import { pca2, umap2 } from '../../src/main/analysis'
import { CancelledError } from '../../src/shared/progress'
import { seededRandom, gaussian } from '../support/rng'

describe('pca2', () => {
  it('finds the planted axes and their variances', async () => {
    const r = seededRandom(2)
    const n = 4000
    const dim = 6
    // Variances 9 (dim 2), 4 (dim 4), 0.25 elsewhere.
    const sd = [0.5, 0.5, 3, 0.5, 2, 0.5]
    const x = Float32Array.from({ length: n * dim }, (_, k) => 5 + gaussian(r) * sd[k % dim]!)
    const updates: string[] = []
    const p = await pca2(x, n, dim, { onProgress: (u) => updates.push(u.phase) })
    expect(Math.abs(p.components[2]!)).toBeGreaterThan(0.99)
    expect(Math.abs(p.components[dim + 4]!)).toBeGreaterThan(0.99)
    expect(p.explainedVariance[0]).toBeCloseTo(9, 0)
    expect(p.explainedVariance[1]).toBeCloseTo(4, 0)
    expect(p.mean[0]).toBeCloseTo(5, 1)
    // Coordinates are the centred projections.
    let c0 = 0
    for (let d = 0; d < dim; d++) c0 += (x[d]! - p.mean[d]!) * p.components[d]!
    expect(p.coords[0]).toBeCloseTo(c0, 4)
    expect(updates).toContain('covariance')
  })

  it('stops when cancelled', async () => {
    const ac = new AbortController()
    ac.abort()
    await expect(pca2(new Float32Array(200), 100, 2, { signal: ac.signal })).rejects.toBeInstanceOf(
      CancelledError,
    )
  })
})

describe('umap2', () => {
  it('keeps well-separated clusters apart', async () => {
    const r = seededRandom(7)
    const per = 60
    const dim = 8
    const n = per * 3
    const x = new Float32Array(n * dim)
    for (let i = 0; i < n; i++) {
      const c = Math.floor(i / per)
      for (let d = 0; d < dim; d++) x[i * dim + d] = (d === c ? 20 : 0) + gaussian(r)
    }
    const phases = new Set<string>()
    const { coords } = await umap2(
      x,
      n,
      dim,
      { nEpochs: 100, seed: 1 },
      { onProgress: (u) => phases.add(u.phase) },
    )
    const centre = (c: number) => {
      let sx = 0
      let sy = 0
      for (let i = c * per; i < (c + 1) * per; i++) {
        sx += coords[i * 2]!
        sy += coords[i * 2 + 1]!
      }
      return [sx / per, sy / per] as const
    }
    const spread = (c: number) => {
      const [mx, my] = centre(c)
      let s = 0
      for (let i = c * per; i < (c + 1) * per; i++)
        s += Math.hypot(coords[i * 2]! - mx, coords[i * 2 + 1]! - my)
      return s / per
    }
    const cs = [0, 1, 2].map(centre)
    const maxSpread = Math.max(...[0, 1, 2].map(spread))
    for (let a = 0; a < 3; a++) {
      for (let b = a + 1; b < 3; b++) {
        expect(Math.hypot(cs[a]![0] - cs[b]![0], cs[a]![1] - cs[b]![1])).toBeGreaterThan(
          2 * maxSpread,
        )
      }
    }
    expect(phases).toEqual(new Set(['neighbours', 'layout']))
  })

  it('stops when cancelled during the layout', async () => {
    const r = seededRandom(3)
    const x = Float32Array.from({ length: 100 * 4 }, () => r())
    const ac = new AbortController()
    const run = umap2(
      x,
      100,
      4,
      { nEpochs: 400 },
      {
        signal: ac.signal,
        onProgress: (u) => {
          if (u.phase === 'layout' && u.done >= 20) ac.abort()
        },
      },
    )
    await expect(run).rejects.toBeInstanceOf(CancelledError)
  })
})

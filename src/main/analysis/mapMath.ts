/**
 * Pure helpers that make UMAP and t-SNE on many latents affordable, after a PCA reduction to a few
 * dimensions (pca.ts; nearest-neighbour search dominates their cost and scales with the dimension):
 * a seeded subsample to fit on, and placing the other points from their nearest fitted neighbours.
 */
import { Rng } from '../../shared/random'
import { throwIfCancelled, type TaskControl } from '../../shared/progress'
import { yieldToEventLoop } from './eventLoop'

/** `count` distinct row indices of 0…n−1, ascending, from a seeded partial Fisher–Yates shuffle. */
export function seededSubsample(n: number, count: number, seed: number): Int32Array {
  if (count >= n) return Int32Array.from({ length: n }, (_, i) => i)
  const idx = Int32Array.from({ length: n }, (_, i) => i)
  const rng = new Rng(seed)
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(rng.next() * (n - i))
    const tmp = idx[i] as number
    idx[i] = idx[j] as number
    idx[j] = tmp
  }
  return idx.slice(0, count).sort()
}

/**
 * 2-D positions for rows that were not fitted: the inverse-distance-weighted mean of the positions
 * of their k nearest fitted rows (the starting point umap-js's own transform uses, without its
 * slow per-batch optimisation). Fitted rows keep their positions.
 */
export async function placeByNeighbours(
  data: Float32Array,
  n: number,
  dim: number,
  fitted: Int32Array,
  fittedCoords: Float32Array,
  k: number,
  control: TaskControl = {},
): Promise<Float32Array> {
  const coords = new Float32Array(n * 2)
  const isFitted = new Int32Array(n).fill(-1)
  fitted.forEach((row, j) => {
    isFitted[row] = j
    coords[row * 2] = fittedCoords[j * 2] as number
    coords[row * 2 + 1] = fittedCoords[j * 2 + 1] as number
  })
  const m = fitted.length
  const kk = Math.min(k, m)
  const fit = new Float32Array(m * dim)
  fitted.forEach((row, j) => fit.set(data.subarray(row * dim, (row + 1) * dim), j * dim))
  const bestD = new Float64Array(kk)
  const bestJ = new Int32Array(kk)
  for (let i = 0; i < n; i++) {
    if (isFitted[i] !== -1) continue
    if (i % 512 === 0) {
      throwIfCancelled(control.signal)
      control.onProgress?.({ phase: 'placing', done: i, total: n })
      await yieldToEventLoop()
    }
    bestD.fill(Infinity)
    let worst = 0
    const off = i * dim
    for (let j = 0; j < m; j++) {
      const bound = bestD[worst] as number
      let s = 0
      const fo = j * dim
      for (let d = 0; d < dim && s < bound; d++) {
        const diff = (data[off + d] as number) - (fit[fo + d] as number)
        s += diff * diff
      }
      if (s < bound) {
        bestD[worst] = s
        bestJ[worst] = j
        worst = 0
        for (let t = 1; t < kk; t++) if ((bestD[t] as number) > (bestD[worst] as number)) worst = t
      }
    }
    let wx = 0
    let wy = 0
    let wsum = 0
    for (let t = 0; t < kk; t++) {
      const w = 1 / (Math.sqrt(bestD[t] as number) + 1e-6)
      const j = bestJ[t] as number
      wx += w * (fittedCoords[j * 2] as number)
      wy += w * (fittedCoords[j * 2 + 1] as number)
      wsum += w
    }
    coords[i * 2] = wx / wsum
    coords[i * 2 + 1] = wy / wsum
  }
  return coords
}

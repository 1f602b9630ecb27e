/**
 * Pure helpers that make UMAP on many latents affordable: a PCA reduction to a few dimensions
 * (nearest-neighbour search dominates umap-js's cost and scales with the dimension), a seeded
 * subsample to fit on, and placing the other points from their nearest fitted neighbours.
 */
import { throwIfCancelled, type TaskControl } from '../../../shared/progress'

/** Symmetric eigen-decomposition by cyclic Jacobi rotations; returns values descending. */
export function symmetricEigen(
  matrix: Float64Array,
  dim: number,
): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix)
  const v = new Float64Array(dim * dim)
  for (let i = 0; i < dim; i++) v[i * dim + i] = 1
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0
    for (let p = 0; p < dim; p++)
      for (let q = p + 1; q < dim; q++) off += (a[p * dim + q] as number) ** 2
    if (off < 1e-22) break
    for (let p = 0; p < dim; p++) {
      for (let q = p + 1; q < dim; q++) {
        const apq = a[p * dim + q] as number
        if (Math.abs(apq) < 1e-300) continue
        const app = a[p * dim + p] as number
        const aqq = a[q * dim + q] as number
        const theta = (aqq - app) / (2 * apq)
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1))
        const c = 1 / Math.sqrt(t * t + 1)
        const s = t * c
        for (let k = 0; k < dim; k++) {
          const akp = a[k * dim + p] as number
          const akq = a[k * dim + q] as number
          a[k * dim + p] = c * akp - s * akq
          a[k * dim + q] = s * akp + c * akq
        }
        for (let k = 0; k < dim; k++) {
          const apk = a[p * dim + k] as number
          const aqk = a[q * dim + k] as number
          a[p * dim + k] = c * apk - s * aqk
          a[q * dim + k] = s * apk + c * aqk
        }
        for (let k = 0; k < dim; k++) {
          const vkp = v[k * dim + p] as number
          const vkq = v[k * dim + q] as number
          v[k * dim + p] = c * vkp - s * vkq
          v[k * dim + q] = s * vkp + c * vkq
        }
      }
    }
  }
  const order = Array.from({ length: dim }, (_, i) => i).sort(
    (x, y) => (a[y * dim + y] as number) - (a[x * dim + x] as number),
  )
  const values = Float64Array.from(order, (i) => a[i * dim + i] as number)
  // Columns of v are eigenvectors; return them as rows, in descending order.
  const vectors = new Float64Array(dim * dim)
  order.forEach((col, r) => {
    for (let k = 0; k < dim; k++) vectors[r * dim + k] = v[k * dim + col] as number
  })
  return { values, vectors }
}

/** The rows projected onto their top `k` principal axes (n×k), or a copy when k ≥ dim. */
export function pcaReduce(data: Float32Array, n: number, dim: number, k: number): Float32Array {
  if (k >= dim) return Float32Array.from(data)
  const mean = new Float64Array(dim)
  for (let i = 0; i < n; i++)
    for (let d = 0; d < dim; d++) mean[d] = (mean[d] as number) + (data[i * dim + d] as number)
  for (let d = 0; d < dim; d++) mean[d] = (mean[d] as number) / Math.max(1, n)
  const cov = new Float64Array(dim * dim)
  const row = new Float64Array(dim)
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) row[d] = (data[i * dim + d] as number) - (mean[d] as number)
    for (let p = 0; p < dim; p++) {
      const x = row[p] as number
      if (x === 0) continue
      const off = p * dim
      for (let q = p; q < dim; q++) cov[off + q] = (cov[off + q] as number) + x * (row[q] as number)
    }
  }
  for (let p = 0; p < dim; p++)
    for (let q = p + 1; q < dim; q++) cov[q * dim + p] = cov[p * dim + q] as number
  const { vectors } = symmetricEigen(cov, dim)
  const out = new Float32Array(n * k)
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) row[d] = (data[i * dim + d] as number) - (mean[d] as number)
    for (let c = 0; c < k; c++) {
      let s = 0
      for (let d = 0; d < dim; d++) s += (row[d] as number) * (vectors[c * dim + d] as number)
      out[i * k + c] = s
    }
  }
  return out
}

/** `count` distinct row indices of 0…n−1, ascending, from a seeded partial Fisher–Yates shuffle. */
export function seededSubsample(n: number, count: number, seed: number): Int32Array {
  if (count >= n) return Int32Array.from({ length: n }, (_, i) => i)
  const idx = Int32Array.from({ length: n }, (_, i) => i)
  let s = seed >>> 0
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(next() * (n - i))
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
      await new Promise<void>((resolve) => setImmediate(resolve))
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

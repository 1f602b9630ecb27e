/**
 * The one principal component analysis: the D×D population covariance accumulated over the rows (D
 * is small, ~128), its eigenvectors by cyclic Jacobi rotations, and the centred rows projected onto
 * the top k of them. Two-dimensional maps and the reduction before UMAP and t-SNE both use it.
 */
import { throwIfCancelled, type TaskControl } from '../../shared/progress'
import { yieldToEventLoop } from './eventLoop'
import { checkMatrix } from './matrix'
import type { Projection2D } from './projection'

export interface PcaResult extends Projection2D {
  mean: Float64Array
  /** 2×D row-major unit principal axes; each axis's largest-magnitude entry is positive. */
  components: Float64Array
  /** Variance along each axis (eigenvalues of the population covariance). */
  explainedVariance: [number, number]
  totalVariance: number
}

const ROW_CHUNK = 2048

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

/** The column means and the D×D population covariance of n×dim rows, in chunks that can be cancelled. */
export async function meanAndCovariance(
  data: Float32Array,
  n: number,
  dim: number,
  control: TaskControl = {},
): Promise<{ mean: Float64Array; cov: Float64Array }> {
  const mean = new Float64Array(dim)
  for (let i = 0; i < n; i++)
    for (let d = 0; d < dim; d++) mean[d] = (mean[d] as number) + (data[i * dim + d] as number)
  for (let d = 0; d < dim; d++) mean[d] = (mean[d] as number) / n
  const cov = new Float64Array(dim * dim)
  // Four centred rows at a time: each covariance entry is loaded and stored once per four rows.
  const c0 = new Float64Array(dim)
  const c1 = new Float64Array(dim)
  const c2 = new Float64Array(dim)
  const c3 = new Float64Array(dim)
  const rowsBuf = [c0, c1, c2, c3]
  for (let start = 0; start < n; start += ROW_CHUNK) {
    throwIfCancelled(control.signal)
    control.onProgress?.({ phase: 'covariance', done: start, total: n })
    const end = Math.min(n, start + ROW_CHUNK)
    for (let i = start; i < end; i += 4) {
      for (let r = 0; r < 4; r++) {
        const buf = rowsBuf[r] as Float64Array
        if (i + r < end) {
          for (let d = 0; d < dim; d++)
            buf[d] = (data[(i + r) * dim + d] as number) - (mean[d] as number)
        } else buf.fill(0)
      }
      for (let a = 0; a < dim; a++) {
        const x0 = c0[a] as number
        const x1 = c1[a] as number
        const x2 = c2[a] as number
        const x3 = c3[a] as number
        const off = a * dim
        for (let b = a; b < dim; b++) {
          cov[off + b] =
            (cov[off + b] as number) +
            x0 * (c0[b] as number) +
            x1 * (c1[b] as number) +
            x2 * (c2[b] as number) +
            x3 * (c3[b] as number)
        }
      }
    }
    await yieldToEventLoop()
  }
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      const v = (cov[a * dim + b] as number) / n
      cov[a * dim + b] = v
      cov[b * dim + a] = v
    }
  }
  control.onProgress?.({ phase: 'covariance', done: n, total: n })
  return { mean, cov }
}

/**
 * The top k eigenpairs of a covariance, each axis's sign fixed (largest-magnitude entry positive) so
 * that a map comes out the same way round every time.
 */
function principalAxes(
  cov: Float64Array,
  dim: number,
  k: number,
): { axes: Float64Array; variances: Float64Array } {
  const { values, vectors } = symmetricEigen(cov, dim)
  const axes = vectors.slice(0, k * dim)
  for (let c = 0; c < k; c++) {
    const axis = axes.subarray(c * dim, (c + 1) * dim)
    let big = 0
    for (let d = 1; d < dim; d++)
      if (Math.abs(axis[d] as number) > Math.abs(axis[big] as number)) big = d
    if ((axis[big] as number) < 0) for (let d = 0; d < dim; d++) axis[d] = -(axis[d] as number)
  }
  return { axes, variances: values.slice(0, k) }
}

/** The centred rows projected onto k axes (n×k). */
function project(
  data: Float32Array,
  n: number,
  dim: number,
  mean: Float64Array,
  axes: Float64Array,
  k: number,
): Float32Array {
  const out = new Float32Array(n * k)
  const row = new Float64Array(dim)
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) row[d] = (data[i * dim + d] as number) - (mean[d] as number)
    for (let c = 0; c < k; c++) {
      let s = 0
      for (let d = 0; d < dim; d++) s += (row[d] as number) * (axes[c * dim + d] as number)
      out[i * k + c] = s
    }
  }
  return out
}

/** PCA to two dimensions, with the axes, their variances and the total variance. */
export async function pca2(
  latents: Float32Array,
  n: number,
  dim: number,
  control: TaskControl = {},
): Promise<PcaResult> {
  checkMatrix(latents, n, dim, 'pca: latents')
  if (n < 2) throw new Error('pca: at least 2 rows are needed')
  const { mean, cov } = await meanAndCovariance(latents, n, dim, control)
  let totalVariance = 0
  for (let d = 0; d < dim; d++) totalVariance += cov[d * dim + d] as number
  throwIfCancelled(control.signal)
  const k = Math.min(2, dim)
  const { axes, variances } = principalAxes(cov, dim, k)
  const components = new Float64Array(2 * dim)
  components.set(axes)
  // With one dimension the second axis stays zero, and so does every row's second coordinate.
  const coords = project(latents, n, dim, mean, components, 2)
  return {
    coords,
    mean,
    components,
    explainedVariance: [variances[0] ?? 0, variances[1] ?? 0],
    totalVariance,
  }
}

/** The rows projected onto their top `k` principal axes (n×k), or a copy when k ≥ dim. */
export async function pcaReduce(
  data: Float32Array,
  n: number,
  dim: number,
  k: number,
  control: TaskControl = {},
): Promise<Float32Array> {
  if (k >= dim) return Float32Array.from(data)
  checkMatrix(data, n, dim, 'pca: latents')
  const { mean, cov } = await meanAndCovariance(data, n, dim, { signal: control.signal })
  throwIfCancelled(control.signal)
  return project(data, n, dim, mean, principalAxes(cov, dim, k).axes, k)
}

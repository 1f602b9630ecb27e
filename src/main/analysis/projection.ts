/** 2-D maps of the latent space: PCA (exact, pure) and UMAP (umap-js), both cancellable. */
import { UMAP } from 'umap-js'
import { throwIfCancelled, type TaskControl } from '../../shared/progress'
import { checkMatrix } from './matrix'

export interface Projection2D {
  /** n×2 row-major. */
  coords: Float32Array
}

export interface PcaResult extends Projection2D {
  mean: Float64Array
  /** 2×D row-major unit principal axes; each axis's largest-magnitude entry is positive. */
  components: Float64Array
  /** Variance along each axis (eigenvalues of the population covariance). */
  explainedVariance: [number, number]
  totalVariance: number
}

const ROW_CHUNK = 2048

/** Lets an AbortSignal fired by another task be seen between chunks of synchronous work. */
const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

/**
 * PCA to two dimensions: the D×D covariance is accumulated over the rows (D is small, ~128), and its
 * top two eigenvectors found by power iteration with deflation.
 */
export async function pca2(
  latents: Float32Array,
  n: number,
  dim: number,
  control: TaskControl = {},
): Promise<PcaResult> {
  checkMatrix(latents, n, dim, 'pca: latents')
  if (n < 2) throw new Error('pca: at least 2 rows are needed')
  const mean = new Float64Array(dim)
  for (let i = 0; i < n; i++)
    for (let d = 0; d < dim; d++) mean[d] = (mean[d] as number) + (latents[i * dim + d] as number)
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
            buf[d] = (latents[(i + r) * dim + d] as number) - (mean[d] as number)
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
  let totalVariance = 0
  for (let a = 0; a < dim; a++) {
    for (let b = a; b < dim; b++) {
      const v = (cov[a * dim + b] as number) / n
      cov[a * dim + b] = v
      cov[b * dim + a] = v
    }
    totalVariance += cov[a * dim + a] as number
  }
  control.onProgress?.({ phase: 'covariance', done: n, total: n })
  const components = new Float64Array(2 * dim)
  const explained: [number, number] = [0, 0]
  for (let c = 0; c < 2; c++) {
    throwIfCancelled(control.signal)
    const { vector, value } = topEigen(cov, dim)
    explained[c] = value
    components.set(vector, c * dim)
    for (let a = 0; a < dim; a++) {
      for (let b = 0; b < dim; b++) {
        cov[a * dim + b] =
          (cov[a * dim + b] as number) - value * (vector[a] as number) * (vector[b] as number)
      }
    }
  }
  const coords = new Float32Array(n * 2)
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < 2; c++) {
      let s = 0
      for (let d = 0; d < dim; d++) {
        s +=
          ((latents[i * dim + d] as number) - (mean[d] as number)) *
          (components[c * dim + d] as number)
      }
      coords[i * 2 + c] = s
    }
  }
  return { coords, mean, components, explainedVariance: explained, totalVariance }
}

/** Dominant eigenpair of a symmetric PSD matrix by power iteration, sign fixed for determinism. */
function topEigen(m: Float64Array, dim: number): { vector: Float64Array; value: number } {
  let v = Float64Array.from({ length: dim }, (_, i) => 1 + ((i * 7919) % 13) / 13)
  let value = 0
  const next = new Float64Array(dim)
  for (let iter = 0; iter < 1000; iter++) {
    for (let a = 0; a < dim; a++) {
      let s = 0
      for (let b = 0; b < dim; b++) s += (m[a * dim + b] as number) * (v[b] as number)
      next[a] = s
    }
    const len = Math.sqrt(next.reduce((s, x) => s + x * x, 0))
    if (!(len > 1e-300)) return { vector: v.map(() => 0), value: 0 }
    let change = 0
    for (let a = 0; a < dim; a++) {
      const x = (next[a] as number) / len
      change = Math.max(change, Math.abs(x - (v[a] as number)))
      v[a] = x
    }
    value = len
    if (change < 1e-10) break
  }
  let big = 0
  for (let a = 1; a < dim; a++) if (Math.abs(v[a] as number) > Math.abs(v[big] as number)) big = a
  if ((v[big] as number) < 0) v = v.map((x) => -x)
  return { vector: v, value }
}

export interface UmapOptions {
  nNeighbors?: number
  minDist?: number
  nEpochs?: number
  /** Seed for umap-js's random choices, so a map can be reproduced. */
  seed?: number
}

/** Small seeded PRNG (mulberry32) for umap-js. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * UMAP to two dimensions with umap-js. The neighbour graph (nn-descent) is built in one
 * synchronous call that reports no progress; the layout epochs then report progress and can be
 * cancelled between epochs.
 */
export async function umap2(
  latents: Float32Array,
  n: number,
  dim: number,
  options: UmapOptions = {},
  control: TaskControl = {},
): Promise<Projection2D> {
  checkMatrix(latents, n, dim, 'umap: latents')
  const nNeighbors = options.nNeighbors ?? 15
  if (n <= nNeighbors) throw new Error(`umap: ${n} rows are too few for ${nNeighbors} neighbours`)
  throwIfCancelled(control.signal)
  const rows: number[][] = []
  for (let i = 0; i < n; i++) rows.push(Array.from(latents.subarray(i * dim, (i + 1) * dim)))
  const umap = new UMAP({
    nComponents: 2,
    nNeighbors,
    minDist: options.minDist ?? 0.1,
    ...(options.nEpochs ? { nEpochs: options.nEpochs } : {}),
    random: mulberry32(options.seed ?? 42),
  })
  control.onProgress?.({ phase: 'neighbours', done: 0, total: 1 })
  const epochs = umap.initializeFit(rows)
  control.onProgress?.({ phase: 'neighbours', done: 1, total: 1 })
  for (let e = 0; e < epochs; e++) {
    if (e % 10 === 0) {
      throwIfCancelled(control.signal)
      control.onProgress?.({ phase: 'layout', done: e, total: epochs })
      await yieldToEventLoop()
    }
    umap.step()
  }
  control.onProgress?.({ phase: 'layout', done: epochs, total: epochs })
  const embedding = umap.getEmbedding()
  const coords = new Float32Array(n * 2)
  embedding.forEach((p, i) => {
    coords[i * 2] = p[0] ?? 0
    coords[i * 2 + 1] = p[1] ?? 0
  })
  return { coords }
}

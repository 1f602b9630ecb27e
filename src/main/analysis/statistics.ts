/** Per-dimension statistics of encoder outputs (μ and log σ²), for the latent-space inspector. */
import { checkMatrix } from './matrix'

/** Burda et al.'s threshold: a unit is active when Var over the data of its μ exceeds 0.01. */
export const ACTIVE_UNIT_THRESHOLD = 0.01

export interface LatentStatistics {
  mean: Float64Array
  /** Population variance (divided by N) of μ over the data. */
  variance: Float64Array
  active: boolean[]
  activeUnits: number
}

/** Mean and variance per dimension (Welford, so large offsets don't cancel), and active units. */
export function latentStatistics(
  mu: Float32Array,
  n: number,
  dim: number,
  threshold = ACTIVE_UNIT_THRESHOLD,
): LatentStatistics {
  checkMatrix(mu, n, dim, 'latent statistics: mu')
  if (n === 0) throw new Error('latent statistics: no rows')
  const mean = new Float64Array(dim)
  const m2 = new Float64Array(dim)
  for (let i = 0; i < n; i++) {
    const row = i * dim
    for (let d = 0; d < dim; d++) {
      const x = mu[row + d] as number
      const delta = x - (mean[d] as number)
      mean[d] = (mean[d] as number) + delta / (i + 1)
      m2[d] = (m2[d] as number) + delta * (x - (mean[d] as number))
    }
  }
  const variance = m2.map((v) => v / n)
  const active = Array.from(variance, (v) => v > threshold)
  return { mean, variance, active, activeUnits: active.filter(Boolean).length }
}

export interface HistogramOptions {
  bins?: number
  min?: number
  max?: number
}

export interface LatentHistograms {
  edges: Float64Array
  centres: Float64Array
  binWidth: number
  /** dim rows of `bins` counts; values outside [min, max] go to the end bins. */
  counts: Uint32Array[]
  /** N(0,1) density at each bin centre… */
  normalDensity: Float64Array
  /** …and the count a N(0,1) sample of size N would put in each bin (N·width·density), to overlay. */
  normalCounts: Float64Array
}

export function latentHistograms(
  mu: Float32Array,
  n: number,
  dim: number,
  options: HistogramOptions = {},
): LatentHistograms {
  checkMatrix(mu, n, dim, 'latent histograms: mu')
  const bins = options.bins ?? 40
  const min = options.min ?? -4
  const max = options.max ?? 4
  if (!Number.isInteger(bins) || bins < 1)
    throw new Error(`latent histograms: bins ${bins} must be a positive integer`)
  if (!(max > min)) throw new Error(`latent histograms: range [${min}, ${max}] is empty`)
  const binWidth = (max - min) / bins
  const edges = Float64Array.from({ length: bins + 1 }, (_, i) => min + i * binWidth)
  const centres = Float64Array.from({ length: bins }, (_, i) => min + (i + 0.5) * binWidth)
  const counts = Array.from({ length: dim }, () => new Uint32Array(bins))
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) {
      const x = mu[i * dim + d] as number
      let b = Math.floor((x - min) / binWidth)
      if (b < 0) b = 0
      else if (b >= bins) b = bins - 1
      const c = counts[d] as Uint32Array
      c[b] = (c[b] as number) + 1
    }
  }
  const normalDensity = centres.map((x) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI))
  const normalCounts = normalDensity.map((p) => p * n * binWidth)
  return { edges, centres, binWidth, counts, normalDensity, normalCounts }
}

/**
 * KL(N(μ, σ²) ‖ N(0, 1)) per dimension, averaged over the images: ½(μ² + σ² − log σ² − 1).
 * Dimensions near zero carry no information (posterior collapse).
 */
export function klPerDimension(
  mu: Float32Array,
  logVar: Float32Array,
  n: number,
  dim: number,
): Float64Array {
  checkMatrix(mu, n, dim, 'kl per dimension: mu')
  checkMatrix(logVar, n, dim, 'kl per dimension: logVar')
  if (n === 0) throw new Error('kl per dimension: no rows')
  const kl = new Float64Array(dim)
  for (let i = 0; i < n; i++) {
    for (let d = 0; d < dim; d++) {
      const m = mu[i * dim + d] as number
      const lv = logVar[i * dim + d] as number
      kl[d] = (kl[d] as number) + 0.5 * (m * m + Math.exp(lv) - lv - 1)
    }
  }
  return kl.map((v) => v / n)
}

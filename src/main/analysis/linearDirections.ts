/**
 * Attribute directions as the normal of a linear classifier on the latents (InterFaceGAN's method):
 * an L2-regularised logistic regression per attribute, fitted by Newton's method (iteratively
 * reweighted least squares), whose weight vector, normalised, is the direction. Unlike the
 * difference of class means it accounts for correlated latent dimensions. Pure and deterministic.
 */
import type { AttributeVectorsResult } from './attributeVectors'
import { checkMatrix } from './matrix'
import { Rng } from '../../shared/random'

export interface LogisticOptions {
  /** L2 penalty on the weights (not the intercept), relative to the mean log-loss; default 1e-3. */
  l2?: number
  /** Newton steps at most; default 30 (it usually converges in under 10). */
  maxIterations?: number
  /** Rows used for fitting at most (a seeded subsample beyond); default 5,000. */
  maxRows?: number
  /** Rows the Hessian is estimated from at most; default 4,000. */
  hessianRows?: number
  /** Stop once every component of the objective's gradient is below this; default 1e-7. */
  tolerance?: number
  seed?: number
}

export interface LogisticFit {
  /** Weights, length dim, and the intercept. */
  weights: Float64Array
  bias: number
  iterations: number
  converged: boolean
}

/**
 * Fits P(y = 1 | x) = σ(w·x + b) by minimising mean log-loss + (l2/2)·|w|². `x` is an m×dim
 * row-major matrix, `y` holds 0 or 1. Each Newton step takes the gradient over every row and the
 * Hessian over at most `hessianRows` of them (a fixed, evenly spread subset: the curvature needs
 * far fewer rows than the gradient), then backtracks until the objective falls.
 */
export function fitLogistic(
  x: Float64Array,
  y: Uint8Array,
  dim: number,
  options: LogisticOptions = {},
): LogisticFit {
  const m = y.length
  if (x.length !== m * dim) {
    throw new Error(`logistic regression: x has ${x.length} values, expected ${m}×${dim}`)
  }
  const l2 = options.l2 ?? 1e-3
  const maxIterations = options.maxIterations ?? 30
  const hessianEvery = Math.max(1, Math.ceil(m / (options.hessianRows ?? 4000)))
  const p = dim + 1 // the intercept is the last parameter
  let theta = new Float64Array(p)
  const grad = new Float64Array(p)
  const hess = new Float64Array(p * p)
  const row = new Float64Array(p)
  row[dim] = 1
  const tolerance = options.tolerance ?? 1e-7
  const score = (t: Float64Array, i: number): number => {
    let z = t[dim] as number
    for (let d = 0; d < dim; d++) z += (t[d] as number) * (x[i * dim + d] as number)
    return z
  }
  const objective = (t: Float64Array): number => {
    let loss = 0
    for (let i = 0; i < m; i++) {
      // log(1 + e^(−s)) with s = ±z, stable for large |z|.
      const s = y[i] === 1 ? score(t, i) : -score(t, i)
      loss += s > 0 ? Math.log1p(Math.exp(-s)) : -s + Math.log1p(Math.exp(s))
    }
    let w2 = 0
    for (let d = 0; d < dim; d++) w2 += (t[d] as number) ** 2
    return loss / m + 0.5 * l2 * w2
  }
  let current = objective(theta)
  let iterations = 0
  let converged = false
  for (; iterations < maxIterations && !converged; iterations++) {
    grad.fill(0)
    hess.fill(0)
    let hessianCount = 0
    for (let i = 0; i < m; i++) {
      const prob = 1 / (1 + Math.exp(-score(theta, i)))
      const r = prob - (y[i] as number)
      for (let d = 0; d < dim; d++) grad[d] = (grad[d] as number) + r * (x[i * dim + d] as number)
      grad[dim] = (grad[dim] as number) + r
      if (i % hessianEvery !== 0) continue
      hessianCount++
      const w = Math.max(prob * (1 - prob), 1e-12)
      row.set(x.subarray(i * dim, (i + 1) * dim))
      for (let k = 0; k < p; k++) {
        const wk = w * (row[k] as number)
        const base = k * p
        for (let l = k; l < p; l++)
          hess[base + l] = (hess[base + l] as number) + wk * (row[l] as number)
      }
    }
    let gradMax = 0
    for (let k = 0; k < p; k++) {
      grad[k] = (grad[k] as number) / m + (k < dim ? l2 * (theta[k] as number) : 0)
      gradMax = Math.max(gradMax, Math.abs(grad[k] as number))
      for (let l = k; l < p; l++) {
        const v = (hess[k * p + l] as number) / hessianCount + (k === l && k < dim ? l2 : 0)
        hess[k * p + l] = v
        hess[l * p + k] = v
      }
    }
    if (gradMax < tolerance) {
      converged = true
      break
    }
    // The intercept is unpenalised: a tiny ridge keeps the system solvable for a one-class subset.
    hess[p * p - 1] = (hess[p * p - 1] as number) + 1e-9
    const step = solveSymmetric(hess, grad, p)
    let slope = 0
    for (let k = 0; k < p; k++) slope += (grad[k] as number) * (step[k] as number)
    let t = 1
    let next = theta
    let value = current
    for (; t > 1e-6; t /= 2) {
      next = theta.map((v, k) => v - t * (step[k] as number))
      value = objective(next)
      if (value <= current - 1e-4 * t * slope) break
    }
    let size = 0
    for (let k = 0; k < p; k++)
      size = Math.max(size, Math.abs((next[k] as number) - (theta[k] as number)))
    converged = size < 1e-9 * Math.max(1, maxAbs(next))
    theta = next
    current = value
  }
  return { weights: theta.slice(0, dim), bias: theta[dim] as number, iterations, converged }
}

function maxAbs(v: Float64Array): number {
  let m = 0
  for (const x of v) m = Math.max(m, Math.abs(x))
  return m
}

/** Solves A·s = b for a symmetric positive-definite A (Cholesky). */
function solveSymmetric(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j] as number
      for (let k = 0; k < j; k++) sum -= (l[i * n + k] as number) * (l[j * n + k] as number)
      if (i === j) {
        if (!(sum > 0)) throw new Error('logistic regression: the Hessian is not positive definite')
        l[i * n + i] = Math.sqrt(sum)
      } else {
        l[i * n + j] = sum / (l[j * n + j] as number)
      }
    }
  }
  const yv = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    let sum = b[i] as number
    for (let k = 0; k < i; k++) sum -= (l[i * n + k] as number) * (yv[k] as number)
    yv[i] = sum / (l[i * n + i] as number)
  }
  const s = new Float64Array(n)
  for (let i = n - 1; i >= 0; i--) {
    let sum = yv[i] as number
    for (let k = i + 1; k < n; k++) sum -= (l[k * n + i] as number) * (s[k] as number)
    s[i] = sum / (l[i * n + i] as number)
  }
  return s
}

/**
 * Every attribute's classifier normal, in the shape computeAttributeVectors returns. labels is N×A
 * with 1, −1 or 0 (unknown, left out); `rows` limits fitting to some rows (e.g. all but the test
 * split, so that a test AUC stays honest). A row is zeros (valid false) where a class is empty.
 */
export function computeLinearAttributeVectors(
  latents: Float32Array,
  n: number,
  dim: number,
  labels: ArrayLike<number>,
  numAttributes: number,
  rows?: ArrayLike<number>,
  options: LogisticOptions = {},
): AttributeVectorsResult {
  checkMatrix(latents, n, dim, 'linear attribute vectors: latents')
  checkMatrix(labels, n, numAttributes, 'linear attribute vectors: labels')
  const A = numAttributes
  let use = Array.from(rows ?? Array.from({ length: n }, (_, i) => i))
  const maxRows = options.maxRows ?? 5000
  if (use.length > maxRows) {
    // A seeded partial Fisher–Yates: the same rows every time for the same latents.
    const rng = new Rng(options.seed ?? 1)
    for (let i = 0; i < maxRows; i++) {
      const j = i + rng.below(use.length - i)
      const t = use[i] as number
      use[i] = use[j] as number
      use[j] = t
    }
    use = use.slice(0, maxRows).sort((a, b) => a - b)
  }
  const vectors = new Float32Array(A * dim)
  const valid: boolean[] = []
  const positives = new Uint32Array(A)
  const negatives = new Uint32Array(A)
  for (let a = 0; a < A; a++) {
    const picked = use.filter((i) => {
      const label = labels[i * A + a]
      if (label !== 1 && label !== -1 && label !== 0) {
        throw new Error(
          `linear attribute vectors: labels row ${i}, attribute ${a}: ${label} is not 1, -1 or 0`,
        )
      }
      return label !== 0
    })
    const x = new Float64Array(picked.length * dim)
    const y = new Uint8Array(picked.length)
    picked.forEach((i, r) => {
      for (let d = 0; d < dim; d++) x[r * dim + d] = latents[i * dim + d] as number
      y[r] = labels[i * A + a] === 1 ? 1 : 0
    })
    const pos = y.reduce((s, v) => s + v, 0)
    positives[a] = pos
    negatives[a] = picked.length - pos
    if (pos === 0 || pos === picked.length) {
      valid.push(false)
      continue
    }
    const { weights } = fitLogistic(x, y, dim, options)
    const len = Math.sqrt(weights.reduce((s, w) => s + w * w, 0))
    if (!(len > 0)) {
      valid.push(false)
      continue
    }
    for (let d = 0; d < dim; d++) vectors[a * dim + d] = (weights[d] as number) / len
    valid.push(true)
  }
  return { vectors, valid, positives, negatives }
}

/**
 * Barnes–Hut t-SNE to two dimensions (van der Maaten 2014), pure and cancellable. Input affinities
 * come from each point's 3·perplexity nearest neighbours (exact search), σ per point by binary
 * search on the entropy; the layout is gradient descent with momentum and per-coordinate gains, and
 * the repulsion is approximated with a quadtree (see barnesHut). Gradient units follow bhtsne (no
 * factor 4), so the learning rate max(200, N/12) is the usual one.
 */
import { Rng } from '../../shared/random'
import { throwIfCancelled, type TaskControl } from '../../shared/progress'
import { yieldToEventLoop } from './eventLoop'
import { QuadTree } from './barnesHut'
import { checkMatrix } from './matrix'
import type { Projection2D } from './projection'
import { heapPush, heapReplaceTop } from './boundedHeap'

export interface TsneOptions {
  perplexity?: number
  iterations?: number
  /** Factor on P during the first exaggerationIterations, which lets clusters form early. */
  exaggeration?: number
  exaggerationIterations?: number
  /** Default max(200, n/12). */
  learningRate?: number
  /** Barnes–Hut accuracy: a cell counts as one mass when its half-width < θ·distance, as in bhtsne. */
  theta?: number
  /** Seed of the initial layout. */
  seed?: number
}

export const TSNE_DEFAULTS = {
  perplexity: 30,
  iterations: 750,
  exaggeration: 12,
  exaggerationIterations: 250,
  theta: 0.5,
  seed: 42,
}

/** Each row's k nearest other rows: indices and squared distances, both n×k, nearest first. */
export interface NeighbourGraph {
  k: number
  indices: Int32Array
  distances2: Float64Array
}

/** Sparse symmetric joint affinities P (row-compressed; all values sum to 1). */
export interface Affinities {
  rowStart: Int32Array
  columns: Int32Array
  values: Float64Array
}

/** The perplexity actually used for n points: at most (n − 1)/3 so 3·perplexity neighbours exist. */
export function effectivePerplexity(n: number, perplexity: number): number {
  return Math.max(1, Math.min(perplexity, (n - 1) / 3))
}

/**
 * Exact k nearest neighbours. Rows are sorted by their first column and each row scans outwards
 * from its own place, stopping in a direction once the first-column gap alone exceeds the current
 * k-th best distance; each distance also stops accumulating once it exceeds that bound. Both prune
 * most of the work when the columns are PCA coordinates (largest variance first).
 */
export async function neighbourGraph(
  data: Float32Array,
  n: number,
  dim: number,
  k: number,
  control: TaskControl = {},
): Promise<NeighbourGraph> {
  checkMatrix(data, n, dim, 't-SNE: data')
  if (!Number.isInteger(k) || k < 1 || k >= n)
    throw new Error(`t-SNE: ${k} neighbours need more than ${k} points; there are ${n}`)
  const order = Int32Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (data[a * dim] as number) - (data[b * dim] as number) || a - b,
  )
  const xs = new Float64Array(n * dim)
  order.forEach((row, a) => xs.set(data.subarray(row * dim, (row + 1) * dim), a * dim))
  const indices = new Int32Array(n * k)
  const distances2 = new Float64Array(n * k)
  // Max-heap of the best k (squared distance, sorted position) for the current row.
  const heapD = new Float64Array(k)
  const heapI = new Int32Array(k)
  let lastYield = performance.now()
  for (let a = 0; a < n; a++) {
    if (performance.now() - lastYield > 40) {
      throwIfCancelled(control.signal)
      control.onProgress?.({ phase: 'neighbours', done: a, total: n })
      await yieldToEventLoop()
      lastYield = performance.now()
    }
    let size = 0
    const off = a * dim
    const x0 = xs[off] as number
    for (let pass = 0; pass < 2; pass++) {
      const step = pass === 0 ? 1 : -1
      for (let b = a + step; b >= 0 && b < n; b += step) {
        const bound = size === k ? (heapD[0] as number) : Infinity
        const bo = b * dim
        const gap = (xs[bo] as number) - x0
        if (gap * gap >= bound) break
        let s = gap * gap
        let d = 1
        for (; d + 4 <= dim && s < bound; d += 4) {
          const e0 = (xs[off + d] as number) - (xs[bo + d] as number)
          const e1 = (xs[off + d + 1] as number) - (xs[bo + d + 1] as number)
          const e2 = (xs[off + d + 2] as number) - (xs[bo + d + 2] as number)
          const e3 = (xs[off + d + 3] as number) - (xs[bo + d + 3] as number)
          s += e0 * e0 + e1 * e1 + e2 * e2 + e3 * e3
        }
        for (; d < dim && s < bound; d++) {
          const e = (xs[off + d] as number) - (xs[bo + d] as number)
          s += e * e
        }
        if (s >= bound) continue
        if (size < k) heapPush(heapD, heapI, size++, s, b)
        else heapReplaceTop(heapD, heapI, k, s, b)
      }
    }
    // Pop the heap from the back so the row ends up nearest first.
    const i = order[a] as number
    for (let end = k - 1; end >= 0; end--) {
      indices[i * k + end] = order[heapI[0] as number] as number
      distances2[i * k + end] = heapD[0] as number
      heapReplaceTop(heapD, heapI, end, heapD[end] as number, heapI[end] as number)
    }
  }
  control.onProgress?.({ phase: 'neighbours', done: n, total: n })
  return { k, indices, distances2 }
}

/**
 * Conditional affinities p_{j|i} over each row's neighbours (n×k, rows sum to 1): a Gaussian whose
 * precision β_i is found so that the row's entropy is log(perplexity): Newton steps on H(β), whose
 * slope is −β·Var(d), kept inside a bisection bracket so a bad step cannot diverge.
 */
export function conditionalAffinities(
  graph: NeighbourGraph,
  n: number,
  perplexity: number,
): Float64Array {
  const { k, distances2 } = graph
  const target = Math.log(perplexity)
  const p = new Float64Array(n * k)
  for (let i = 0; i < n; i++) {
    const off = i * k
    // Distances relative to the nearest neighbour: the same P, without exp underflow for far rows.
    const nearest = distances2[off] as number
    let mean = 0
    for (let j = 0; j < k; j++) mean += (distances2[off + j] as number) - nearest
    mean /= k
    let beta = mean > 0 ? 1 / mean : 1
    let lo = 0
    let hi = Infinity
    for (let step = 0; step < 200; step++) {
      let sum = 0
      let weighted = 0
      let weighted2 = 0
      for (let j = 0; j < k; j++) {
        const d = (distances2[off + j] as number) - nearest
        const w = Math.exp(-beta * d)
        p[off + j] = w
        sum += w
        weighted += d * w
        weighted2 += d * d * w
      }
      const meanD = weighted / sum
      const entropy = Math.log(sum) + beta * meanD
      const diff = entropy - target
      if (Math.abs(diff) < 1e-5) break
      if (diff > 0) lo = beta
      else hi = beta
      const variance = weighted2 / sum - meanD * meanD
      const newton = variance > 0 ? beta + diff / (beta * variance) : NaN
      if (newton > lo && newton < hi) beta = newton
      else beta = hi === Infinity ? beta * 2 : (lo + hi) / 2
    }
    let sum = 0
    for (let j = 0; j < k; j++) sum += p[off + j] as number
    for (let j = 0; j < k; j++) p[off + j] = (p[off + j] as number) / sum
  }
  return p
}

/** P_ij = (p_{j|i} + p_{i|j}) / 2n over the union of both neighbour lists. */
export function symmetricAffinities(
  graph: NeighbourGraph,
  conditional: Float64Array,
  n: number,
): Affinities {
  const { k, indices } = graph
  // Every edge i→j appears in row i and row j; count both, then merge duplicates per row.
  const degree = new Int32Array(n + 1)
  for (let i = 0; i < n; i++) {
    degree[i] = (degree[i] as number) + k
    for (let e = i * k; e < (i + 1) * k; e++) {
      const j = indices[e] as number
      degree[j] = (degree[j] as number) + 1
    }
  }
  const start = new Int32Array(n + 1)
  for (let i = 0; i < n; i++) start[i + 1] = (start[i] as number) + (degree[i] as number)
  const fill = Int32Array.from(start.subarray(0, n))
  const rawCols = new Int32Array(start[n] as number)
  const rawVals = new Float64Array(start[n] as number)
  const scale = 1 / (2 * n)
  for (let i = 0; i < n; i++) {
    for (let e = i * k; e < (i + 1) * k; e++) {
      const j = indices[e] as number
      const v = (conditional[e] as number) * scale
      let at = fill[i] as number
      rawCols[at] = j
      rawVals[at] = v
      fill[i] = at + 1
      at = fill[j] as number
      rawCols[at] = i
      rawVals[at] = v
      fill[j] = at + 1
    }
  }
  const rowStart = new Int32Array(n + 1)
  const columns = new Int32Array(rawCols.length)
  const values = new Float64Array(rawCols.length)
  const slot = new Int32Array(n).fill(-1)
  let out = 0
  for (let i = 0; i < n; i++) {
    rowStart[i] = out
    const first = out
    for (let e = start[i] as number; e < (start[i + 1] as number); e++) {
      const j = rawCols[e] as number
      const at = slot[j] as number
      if (at >= first) values[at] = (values[at] as number) + (rawVals[e] as number)
      else {
        slot[j] = out
        columns[out] = j
        values[out] = rawVals[e] as number
        out++
      }
    }
  }
  rowStart[n] = out
  return { rowStart, columns: columns.slice(0, out), values: values.slice(0, out) }
}

/** The t-SNE layout for given joint affinities: n×2 coordinates, centred. */
export async function tsneLayout(
  p: Affinities,
  n: number,
  options: TsneOptions = {},
  control: TaskControl = {},
): Promise<Float64Array> {
  const iterations = options.iterations ?? TSNE_DEFAULTS.iterations
  const exaggeration = options.exaggeration ?? TSNE_DEFAULTS.exaggeration
  const lying = options.exaggerationIterations ?? TSNE_DEFAULTS.exaggerationIterations
  const eta = options.learningRate ?? Math.max(200, n / 12)
  const theta = options.theta ?? TSNE_DEFAULTS.theta
  const rng = new Rng(options.seed ?? TSNE_DEFAULTS.seed)
  const y = Float64Array.from({ length: 2 * n }, () => rng.normal() * 1e-4)
  const step = new Float64Array(2 * n)
  const gains = new Float64Array(2 * n).fill(1)
  const attract = new Float64Array(2 * n)
  const repel = new Float64Array(2 * n)
  const tree = new QuadTree()
  const { rowStart, columns, values } = p
  let lastYield = performance.now()
  for (let iter = 0; iter < iterations; iter++) {
    throwIfCancelled(control.signal)
    if (iter % 10 === 0) control.onProgress?.({ phase: 'layout', done: iter, total: iterations })
    if (performance.now() - lastYield > 40) {
      await yieldToEventLoop()
      throwIfCancelled(control.signal)
      lastYield = performance.now()
    }
    const exag = iter < lying ? exaggeration : 1
    const momentum = iter < lying ? 0.5 : 0.8
    tree.build(y, n)
    repel.fill(0)
    let z = 0
    for (let i = 0; i < n; i++) z += tree.repulse(y, i, theta, repel)
    for (let i = 0; i < n; i++) {
      const xi = y[2 * i] as number
      const yi = y[2 * i + 1] as number
      let fx = 0
      let fy = 0
      for (let e = rowStart[i] as number; e < (rowStart[i + 1] as number); e++) {
        const j = columns[e] as number
        const dx = xi - (y[2 * j] as number)
        const dy = yi - (y[2 * j + 1] as number)
        const f = (values[e] as number) / (1 + dx * dx + dy * dy)
        fx += f * dx
        fy += f * dy
      }
      attract[2 * i] = exag * fx
      attract[2 * i + 1] = exag * fy
    }
    let meanX = 0
    let meanY = 0
    for (let c = 0; c < 2 * n; c++) {
      const grad = (attract[c] as number) - (repel[c] as number) / z
      const s = step[c] as number
      // Delta-bar-delta: grow the gain while the gradient keeps pushing the same way.
      let g = gains[c] as number
      g = grad > 0 !== s > 0 ? g + 0.2 : g * 0.8
      if (g < 0.01) g = 0.01
      gains[c] = g
      const next = momentum * s - eta * g * grad
      step[c] = next
      const v = (y[c] as number) + next
      y[c] = v
      if (c & 1) meanY += v
      else meanX += v
    }
    meanX /= n
    meanY /= n
    for (let i = 0; i < n; i++) {
      y[2 * i] = (y[2 * i] as number) - meanX
      y[2 * i + 1] = (y[2 * i + 1] as number) - meanY
    }
  }
  control.onProgress?.({ phase: 'layout', done: iterations, total: iterations })
  return y
}

/** t-SNE of n×dim rows to two dimensions; deterministic for a given seed. */
export async function tsne2(
  data: Float32Array,
  n: number,
  dim: number,
  options: TsneOptions = {},
  control: TaskControl = {},
): Promise<Projection2D> {
  checkMatrix(data, n, dim, 't-SNE: data')
  if (n < 2) throw new Error(`t-SNE needs at least 2 points; there are ${n}`)
  const wanted = options.perplexity ?? TSNE_DEFAULTS.perplexity
  if (!(wanted > 0)) throw new Error(`t-SNE: perplexity ${wanted} must be a positive number`)
  const perplexity = effectivePerplexity(n, wanted)
  const k = Math.min(n - 1, Math.floor(3 * perplexity))
  const graph = await neighbourGraph(data, n, dim, k, control)
  throwIfCancelled(control.signal)
  control.onProgress?.({ phase: 'affinities', done: 0, total: 1 })
  const p = symmetricAffinities(graph, conditionalAffinities(graph, n, perplexity), n)
  const y = await tsneLayout(p, n, options, control)
  return { coords: Float32Array.from(y) }
}

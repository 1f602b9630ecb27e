/** Brute-force nearest neighbours of one latent: a linear scan with a bounded max-heap. */
import { heapPush, heapReplaceTop } from './boundedHeap'
import { checkMatrix } from './matrix'

export interface Neighbour {
  index: number
  distance: number
}

export interface NeighbourOptions {
  /** Rows to leave out (e.g. the query's own row). */
  exclude?: Iterable<number>
}

/** The k nearest rows by Euclidean distance, nearest first (ties: lower index first). */
export function nearestNeighbours(
  query: ArrayLike<number>,
  latents: Float32Array,
  n: number,
  dim: number,
  k: number,
  options: NeighbourOptions = {},
): Neighbour[] {
  checkMatrix(latents, n, dim, 'nearest neighbours: latents')
  if (query.length !== dim)
    throw new Error(`nearest neighbours: query has ${query.length} values, latents have ${dim}`)
  if (!Number.isInteger(k) || k < 1)
    throw new Error(`nearest neighbours: k ${k} must be a positive integer`)
  const skip = new Set(options.exclude ?? [])
  const q = Float64Array.from(query)
  // Max-heap on squared distance (then index) of the best k so far.
  const heapD = new Float64Array(k)
  const heapI = new Int32Array(k)
  let size = 0
  for (let i = 0; i < n; i++) {
    if (skip.has(i)) continue
    const row = i * dim
    let s = 0
    const bound = size === k ? (heapD[0] as number) : Infinity
    for (let d = 0; d < dim && s <= bound; d++) {
      const diff = (latents[row + d] as number) - (q[d] as number)
      s += diff * diff
    }
    if (size < k) heapPush(heapD, heapI, size++, s, i)
    else if (s < (heapD[0] as number)) heapReplaceTop(heapD, heapI, size, s, i)
  }
  const out: Neighbour[] = []
  for (let j = 0; j < size; j++)
    out.push({ index: heapI[j] as number, distance: Math.sqrt(heapD[j] as number) })
  return out.sort((a, b) => a.distance - b.distance || a.index - b.index)
}

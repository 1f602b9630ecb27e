/** Brute-force nearest neighbours of one latent: a linear scan with a bounded max-heap. */
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
  const worse = (a: number, b: number): boolean =>
    (heapD[a] as number) > (heapD[b] as number) ||
    (heapD[a] === heapD[b] && (heapI[a] as number) > (heapI[b] as number))
  const swap = (a: number, b: number): void => {
    const d = heapD[a] as number
    heapD[a] = heapD[b] as number
    heapD[b] = d
    const i = heapI[a] as number
    heapI[a] = heapI[b] as number
    heapI[b] = i
  }
  for (let i = 0; i < n; i++) {
    if (skip.has(i)) continue
    const row = i * dim
    let s = 0
    const bound = size === k ? (heapD[0] as number) : Infinity
    for (let d = 0; d < dim && s <= bound; d++) {
      const diff = (latents[row + d] as number) - (q[d] as number)
      s += diff * diff
    }
    if (size < k) {
      heapD[size] = s
      heapI[size] = i
      let c = size++
      while (c > 0) {
        const p = (c - 1) >> 1
        if (!worse(c, p)) break
        swap(c, p)
        c = p
      }
    } else if (s < (heapD[0] as number)) {
      heapD[0] = s
      heapI[0] = i
      let c = 0
      for (;;) {
        const l = 2 * c + 1
        const r = l + 1
        let m = c
        if (l < size && worse(l, m)) m = l
        if (r < size && worse(r, m)) m = r
        if (m === c) break
        swap(c, m)
        c = m
      }
    }
  }
  const out: Neighbour[] = []
  for (let j = 0; j < size; j++)
    out.push({ index: heapI[j] as number, distance: Math.sqrt(heapD[j] as number) })
  return out.sort((a, b) => a.distance - b.distance || a.index - b.index)
}

/**
 * A user's own attribute from two groups of faces (a selection and the rest, or two selections):
 * the seed's direction — the normalised difference of the groups' mean latents — and how well it
 * separates faces it was not fitted on (ROC AUC on a seeded held-out share of each group).
 */
import { permutation } from '../engine/model/rng'
import { rocAuc } from './auc'

/** Unit vector along mean(positives) − mean(negatives); null when a group is empty or they coincide. */
export function groupDirection(
  latents: Float32Array,
  dim: number,
  positives: ArrayLike<number>,
  negatives: ArrayLike<number>,
): Float32Array | null {
  if (positives.length === 0 || negatives.length === 0) return null
  const n = latents.length / dim
  const sum = (rows: ArrayLike<number>): Float64Array => {
    const s = new Float64Array(dim)
    for (let k = 0; k < rows.length; k++) {
      const i = rows[k] as number
      if (!(i >= 0 && i < n)) throw new Error(`custom attribute: row ${i} is outside 0…${n - 1}`)
      const off = i * dim
      for (let d = 0; d < dim; d++) s[d] = (s[d] as number) + (latents[off + d] as number)
    }
    return s
  }
  const p = sum(positives)
  const q = sum(negatives)
  const diff = new Float64Array(dim)
  let sq = 0
  for (let d = 0; d < dim; d++) {
    const v = (p[d] as number) / positives.length - (q[d] as number) / negatives.length
    diff[d] = v
    sq += v * v
  }
  const len = Math.sqrt(sq)
  if (!(len > 0)) return null
  return Float32Array.from(diff, (v) => v / len)
}

/**
 * A seeded split of a group's rows into a fitting share and a held-out share (at least one row held
 * out, and one kept, when the group has two or more).
 */
export function holdOut(
  rows: ArrayLike<number>,
  share: number,
  seed: number,
): { fit: Uint32Array; test: Uint32Array } {
  const n = rows.length
  if (n < 2) return { fit: Uint32Array.from(rows), test: new Uint32Array(0) }
  const tested = Math.min(n - 1, Math.max(1, Math.round(n * share)))
  const order = permutation(n, seed)
  const test = new Uint32Array(tested)
  const fit = new Uint32Array(n - tested)
  for (let k = 0; k < n; k++) {
    const row = rows[order[k] as number] as number
    if (k < tested) test[k] = row
    else fit[k - tested] = row
  }
  return { fit: fit.sort(), test: test.sort() }
}

/** Projection of each row on a direction. */
export function projections(
  latents: Float32Array,
  dim: number,
  rows: ArrayLike<number>,
  direction: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(rows.length)
  for (let k = 0; k < rows.length; k++) {
    const off = (rows[k] as number) * dim
    let s = 0
    for (let d = 0; d < dim; d++) s += (latents[off + d] as number) * (direction[d] as number)
    out[k] = s
  }
  return out
}

export interface CustomAttributeFit {
  /** Unit direction from all rows of both groups; null where a group is empty. */
  vector: Float32Array | null
  /** ROC AUC on the held-out rows of a direction fitted on the rest; null where it cannot be measured. */
  auc: number | null
  positives: number
  negatives: number
  heldOutPositives: number
  heldOutNegatives: number
}

export interface CustomAttributeOptions {
  /** Share of each group held out for the AUC (default 0.25). */
  heldOutShare?: number
  seed?: number
}

/**
 * Fits a custom attribute: the AUC is that of a direction fitted without the held-out rows, measured
 * on them; the vector kept is then refitted on every row, as more faces give a steadier direction.
 */
export function fitCustomAttribute(
  latents: Float32Array,
  dim: number,
  positives: ArrayLike<number>,
  negatives: ArrayLike<number>,
  options: CustomAttributeOptions = {},
): CustomAttributeFit {
  const share = options.heldOutShare ?? 0.25
  const seed = options.seed ?? 1
  if (!(share > 0 && share < 1)) throw new Error(`held-out share must be in (0, 1), got ${share}`)
  const pos = holdOut(positives, share, seed)
  const neg = holdOut(negatives, share, seed + 1)
  const fitted = groupDirection(latents, dim, pos.fit, neg.fit)
  let auc: number | null = null
  if (fitted && pos.test.length > 0 && neg.test.length > 0) {
    const scores = new Float64Array(pos.test.length + neg.test.length)
    const labels = new Int8Array(scores.length)
    scores.set(projections(latents, dim, pos.test, fitted))
    scores.set(projections(latents, dim, neg.test, fitted), pos.test.length)
    labels.fill(1, 0, pos.test.length).fill(-1, pos.test.length)
    auc = rocAuc(scores, labels)
  }
  return {
    vector: groupDirection(latents, dim, positives, negatives),
    auc,
    positives: positives.length,
    negatives: negatives.length,
    heldOutPositives: pos.test.length,
    heldOutNegatives: neg.test.length,
  }
}

export interface AttributeShare {
  name: string
  /** Share of the selected faces labelled with the attribute, among those labelled at all. */
  selected: number
  /** The same share over all faces. */
  overall: number
}

/**
 * Which attributes are over- or under-represented in a selection: for each, the share of
 * positives among the selected rows and among all rows (unknown labels left out of both).
 */
export function attributeMakeup(
  labels: Int8Array,
  names: readonly string[],
  selectedRows: ArrayLike<number>,
): AttributeShare[] {
  const a = names.length
  const n = a > 0 ? labels.length / a : 0
  const count = (rows: ArrayLike<number> | null): { pos: Float64Array; known: Float64Array } => {
    const pos = new Float64Array(a)
    const known = new Float64Array(a)
    const m = rows ? rows.length : n
    for (let k = 0; k < m; k++) {
      const i = rows ? (rows[k] as number) : k
      const off = i * a
      for (let j = 0; j < a; j++) {
        const v = labels[off + j]
        if (v === 1) pos[j] = (pos[j] as number) + 1
        if (v === 1 || v === -1) known[j] = (known[j] as number) + 1
      }
    }
    return { pos, known }
  }
  const sel = count(selectedRows)
  const all = count(null)
  const share = (p: number, k: number): number => (k > 0 ? p / k : 0)
  return names.map((name, j) => ({
    name,
    selected: share(sel.pos[j] as number, sel.known[j] as number),
    overall: share(all.pos[j] as number, all.known[j] as number),
  }))
}

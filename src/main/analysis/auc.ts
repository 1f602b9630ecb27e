/**
 * How well a direction separates an attribute: ROC AUC of the projections z·v, computed as the
 * Mann–Whitney U statistic over ranks, with tied scores given their average rank (a tie between a
 * positive and a negative counts one half).
 */
import { checkMatrix } from './matrix'

/** labels: 1 positive, −1 negative, anything else ignored. Null when a class is empty. */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  if (scores.length !== labels.length) {
    throw new Error(`roc auc: ${scores.length} scores but ${labels.length} labels`)
  }
  const idx: number[] = []
  let np = 0
  let nn = 0
  for (let i = 0; i < scores.length; i++) {
    const l = labels[i]
    if (l === 1) np++
    else if (l === -1) nn++
    else continue
    if (!Number.isFinite(scores[i] as number)) throw new Error(`roc auc: score ${i} is not finite`)
    idx.push(i)
  }
  if (np === 0 || nn === 0) return null
  const order = Int32Array.from(idx).sort((a, b) => (scores[a] as number) - (scores[b] as number))
  let rankSumPos = 0
  for (let i = 0; i < order.length;) {
    let j = i
    const s = scores[order[i] as number]
    while (j + 1 < order.length && scores[order[j + 1] as number] === s) j++
    const avgRank = (i + j) / 2 + 1
    for (let k = i; k <= j; k++) if (labels[order[k] as number] === 1) rankSumPos += avgRank
    i = j + 1
  }
  const u = rankSumPos - (np * (np + 1)) / 2
  return u / (np * nn)
}

/**
 * AUC of each attribute vector on chosen rows (e.g. the test split): scores are latent·vector.
 * Invalid or zero vectors, and attributes with an empty class among the rows, give null.
 */
export function attributeVectorAucs(
  latents: Float32Array,
  n: number,
  dim: number,
  labels: ArrayLike<number>,
  numAttributes: number,
  vectors: Float32Array,
  rows?: ArrayLike<number>,
): (number | null)[] {
  checkMatrix(latents, n, dim, 'attribute auc: latents')
  checkMatrix(labels, n, numAttributes, 'attribute auc: labels')
  checkMatrix(vectors, numAttributes, dim, 'attribute auc: vectors')
  const use = rows ?? Uint32Array.from({ length: n }, (_, i) => i)
  const m = use.length
  const scores = new Float64Array(m)
  const lab = new Int8Array(m)
  const out: (number | null)[] = []
  for (let a = 0; a < numAttributes; a++) {
    let zero = true
    for (let d = 0; d < dim; d++) if (vectors[a * dim + d] !== 0) zero = false
    if (zero) {
      out.push(null)
      continue
    }
    for (let r = 0; r < m; r++) {
      const i = use[r] as number
      if (!(i >= 0 && i < n)) throw new Error(`attribute auc: row ${i} is outside 0…${n - 1}`)
      let s = 0
      for (let d = 0; d < dim; d++)
        s += (latents[i * dim + d] as number) * (vectors[a * dim + d] as number)
      scores[r] = s
      lab[r] = labels[i * numAttributes + a] as number
    }
    out.push(rocAuc(scores, lab))
  }
  return out
}

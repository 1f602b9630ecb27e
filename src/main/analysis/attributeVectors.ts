/**
 * Attribute directions in latent space (the seed notebook's method): the normalised difference of
 * the mean latent of faces with an attribute and the mean latent of faces without it.
 */
import { checkMatrix } from './matrix'

export interface AttributeVectorsResult {
  /** A×D row-major; a row is all zeros (and `valid` false) where a class is empty. */
  vectors: Float32Array
  valid: boolean[]
  positives: Uint32Array
  negatives: Uint32Array
}

/**
 * All attributes in one pass over the latents. labels is N×A row-major with 1 (has it), −1 (has not)
 * or 0 (unknown, ignored). Instead of adding each row into A positive and A negative sums, it adds
 * each row once into a total and only into the positive sums of its positive attributes; the
 * negative sum is then total − positives − unknowns, which does a fraction of the work when
 * attributes are mostly absent (as CelebA's are).
 */
export function computeAttributeVectors(
  latents: Float32Array,
  n: number,
  dim: number,
  labels: ArrayLike<number>,
  numAttributes: number,
): AttributeVectorsResult {
  checkMatrix(latents, n, dim, 'attribute vectors: latents')
  checkMatrix(labels, n, numAttributes, 'attribute vectors: labels')
  const A = numAttributes
  const total = new Float64Array(dim)
  const pos = new Float64Array(A * dim)
  const unknown = new Float64Array(A * dim)
  const positives = new Uint32Array(A)
  const negatives = new Uint32Array(A)
  for (let i = 0; i < n; i++) {
    const row = i * dim
    for (let d = 0; d < dim; d++) total[d] = (total[d] as number) + (latents[row + d] as number)
    for (let a = 0; a < A; a++) {
      const label = labels[i * A + a]
      let target: Float64Array
      if (label === 1) {
        positives[a] = (positives[a] as number) + 1
        target = pos
      } else if (label === -1) {
        negatives[a] = (negatives[a] as number) + 1
        continue
      } else if (label === 0) {
        target = unknown
      } else {
        throw new Error(
          `attribute vectors: labels row ${i}, attribute ${a}: ${label} is not 1, -1 or 0`,
        )
      }
      const off = a * dim
      for (let d = 0; d < dim; d++)
        target[off + d] = (target[off + d] as number) + (latents[row + d] as number)
    }
  }
  const vectors = new Float32Array(A * dim)
  const valid: boolean[] = []
  const diff = new Float64Array(dim)
  for (let a = 0; a < A; a++) {
    const np = positives[a] as number
    const nn = negatives[a] as number
    if (np === 0 || nn === 0) {
      valid.push(false)
      continue
    }
    const off = a * dim
    let sq = 0
    for (let d = 0; d < dim; d++) {
      const p = pos[off + d] as number
      const neg = (total[d] as number) - p - (unknown[off + d] as number)
      const v = p / np - neg / nn
      diff[d] = v
      sq += v * v
    }
    const len = Math.sqrt(sq)
    if (!(len > 0)) {
      valid.push(false)
      continue
    }
    for (let d = 0; d < dim; d++) vectors[off + d] = (diff[d] as number) / len
    valid.push(true)
  }
  return { vectors, valid, positives, negatives }
}

/** Row a of an A×D matrix as its own vector. */
export function vectorRow(vectors: Float32Array, dim: number, a: number): Float32Array {
  return vectors.slice(a * dim, (a + 1) * dim)
}

/**
 * A conditional direction (InterFaceGAN's conditional manipulation): the target with its components
 * along the span of the other directions removed, then normalised, so moving along it leaves the
 * projections onto those attributes unchanged. The span is orthonormalised by (modified)
 * Gram–Schmidt, skipping directions already in the span of the earlier ones.
 */
export function conditionalVector(
  target: ArrayLike<number>,
  others: readonly ArrayLike<number>[],
): Float32Array {
  const dim = target.length
  const basis: Float64Array[] = []
  others.forEach((o, k) => {
    if (o.length !== dim) {
      throw new Error(
        `conditional vector: condition ${k} has length ${o.length}, target has ${dim}`,
      )
    }
    const v = Float64Array.from(o)
    const n0 = Math.sqrt(v.reduce((s, x) => s + x * x, 0))
    for (const b of basis) subtractProjection(v, b)
    const n1 = Math.sqrt(v.reduce((s, x) => s + x * x, 0))
    if (n1 > 1e-9 * Math.max(1, n0)) basis.push(v.map((x) => x / n1))
  })
  const r = Float64Array.from(target)
  const n0 = Math.sqrt(r.reduce((s, x) => s + x * x, 0))
  // Twice, so the round-off of the first pass is projected out too.
  for (let pass = 0; pass < 2; pass++) for (const b of basis) subtractProjection(r, b)
  const n1 = Math.sqrt(r.reduce((s, x) => s + x * x, 0))
  if (!(n1 > 1e-6 * Math.max(1, n0))) {
    throw new Error(
      'conditional vector: the target direction lies in the span of the conditions; nothing is left after removing them',
    )
  }
  return Float32Array.from(r, (x) => x / n1)
}

function subtractProjection(v: Float64Array, unit: Float64Array): void {
  let d = 0
  for (let i = 0; i < v.length; i++) d += (v[i] as number) * (unit[i] as number)
  for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) - d * (unit[i] as number)
}

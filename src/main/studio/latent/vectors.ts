/**
 * A run's attribute vectors (all attributes at once, from its cached latents) with a quality score
 * each, cached per run; and the directions edits use, plain or conditional.
 */
import {
  attributeVectorAucs,
  computeAttributeVectors,
  computeLinearAttributeVectors,
  conditionalVector,
  heldOutRows,
  takeRows,
  vectorRow,
} from '../../analysis'
import { applyVectors } from '../../../shared/latent'
import type { Db } from '../../store/database'
import { latentFingerprint, readCached, writeCached } from '../../store/analysisCache'
import { float32FromBase64, toBase64 } from './analysisCache'
import { withCustomAttributes } from './customAttributes'
import {
  HELD_OUT_SEED,
  HELD_OUT_SHARE,
  HELD_OUT_SPLIT,
  type AttributeVectorSet,
  type AucSplit,
  type DirectionMethod,
} from './vectorSet'
import { loadLabels } from '../../store/latentTable'
import { attributeIndexIn, requireLatentTable } from './latentData'

const TEST_SPLIT = 2

// Callers take the set's types and AUC constants from here too.
export * from './vectorSet'

interface CachedVectors extends Omit<AttributeVectorSet, 'vectors'> {
  vectors: string
}

/** Versioned: entries from before the AUC rows were kept out of the fit are not reused. */
const KIND = 'vectors-v2'

/**
 * Vectors from the cache when the run's latents and labels are unchanged, else computed and stored;
 * the run's custom attributes follow the built-in ones.
 */
export function attributeVectorSet(
  db: Db,
  projectRoot: string,
  runId: number,
  method: DirectionMethod = 'mean-diff',
): AttributeVectorSet & { cached: boolean } {
  const fingerprint = latentFingerprint(db, runId)
  // The seed's method keeps its original cache key.
  const key = method === 'mean-diff' ? 'all' : method
  const hit = readCached(db, runId, KIND, key, fingerprint)
  if (hit) {
    const parsed = JSON.parse(hit.toString('utf8')) as CachedVectors
    return withCustomAttributes(db, {
      ...parsed,
      vectors: float32FromBase64(parsed.vectors),
      cached: true,
    })
  }
  const set = computeVectorSet(db, projectRoot, runId, method)
  const stored: CachedVectors = { ...set, vectors: toBase64(set.vectors) }
  writeCached(db, runId, KIND, key, fingerprint, Buffer.from(JSON.stringify(stored), 'utf8'))
  return withCustomAttributes(db, { ...set, cached: false })
}

export function computeVectorSet(
  db: Db,
  projectRoot: string,
  runId: number,
  method: DirectionMethod = 'mean-diff',
): AttributeVectorSet {
  const table = requireLatentTable(db, projectRoot, runId)
  const { names, labels, splits } = loadLabels(db, table.imageIds)
  if (names.length === 0) {
    throw new Error(
      `${projectRoot}: the dataset has no attribute labels (list_attr_celeba.txt); attribute vectors need them`,
    )
  }
  const a = names.length
  const { aucSplit, aucRows, fitRows } = splitRows(table.imageIds, splits)
  // The vectors never see the faces their AUCs are measured on, whichever the method.
  const result =
    method === 'linear'
      ? computeLinearAttributeVectors(table.mu, table.n, table.dim, labels, a, fitRows)
      : computeAttributeVectors(
          takeRows(table.mu, table.dim, fitRows),
          fitRows.length,
          table.dim,
          takeRows(labels, a, fitRows),
          a,
        )
  const aucs = attributeVectorAucs(table.mu, table.n, table.dim, labels, a, result.vectors, aucRows)
  return {
    runId,
    latents: table.n,
    dim: table.dim,
    names,
    vectors: result.vectors,
    valid: result.valid,
    positives: Array.from(result.positives),
    negatives: Array.from(result.negatives),
    aucs,
    aucSplit,
    aucLatents: aucRows.length,
    method,
  }
}

/** The test split when there is one (and it is not everything), else the seeded held-out share. */
function splitRows(
  imageIds: ArrayLike<number>,
  splits: Int8Array,
): { aucSplit: AucSplit; aucRows: Uint32Array; fitRows: Uint32Array } {
  const test: number[] = []
  const rest: number[] = []
  splits.forEach((split, i) => (split === TEST_SPLIT ? test : rest).push(i))
  if (test.length > 0 && rest.length > 0) {
    return { aucSplit: 'test', aucRows: Uint32Array.from(test), fitRows: Uint32Array.from(rest) }
  }
  const held = heldOutRows(imageIds, HELD_OUT_SHARE, HELD_OUT_SEED)
  return { aucSplit: HELD_OUT_SPLIT, aucRows: held.heldOut, fitRows: held.rest }
}

/** The index of an attribute by name (case-insensitive), or an error listing the valid names. */
export function attributeIndex(set: Pick<AttributeVectorSet, 'names'>, name: string): number {
  return attributeIndexIn(set.names, name)
}

/**
 * The unit direction of one attribute, optionally with the directions of other attributes projected
 * out (conditional editing), so moving along it keeps those attributes' projections unchanged.
 */
export function attributeDirection(
  set: AttributeVectorSet,
  attribute: string,
  orthogonalTo: readonly string[] = [],
): Float32Array {
  const index = attributeIndex(set, attribute)
  const name = set.names[index] as string
  if (!set.valid[index]) {
    throw new Error(
      `attribute "${name}" has no direction in run ${set.runId}: ${set.positives[index]} positive and ${set.negatives[index]} negative faces among its latents`,
    )
  }
  const target = vectorRow(set.vectors, set.dim, index)
  const others = orthogonalTo.map((other) => {
    const k = attributeIndex(set, other)
    if (k === index) throw new Error(`"${name}" cannot be made orthogonal to itself`)
    return vectorRow(set.vectors, set.dim, k)
  })
  return others.length === 0 ? target : conditionalVector(target, others)
}

export interface EditRequest {
  attribute: string
  intensity: number
  orthogonalTo?: readonly string[]
  /** Default: the mean difference. */
  method?: DirectionMethod
}

/**
 * Several attribute edits on one latent at once: z + Σ intensity·direction. Given a function, each
 * edit takes its direction from the set of its own method.
 */
export function editLatent(
  sets: AttributeVectorSet | ((method: DirectionMethod) => AttributeVectorSet),
  latent: ArrayLike<number>,
  edits: readonly EditRequest[],
): Float32Array {
  const setFor = typeof sets === 'function' ? sets : () => sets
  const set = setFor('mean-diff')
  if (latent.length !== set.dim) {
    throw new Error(`the latent has ${latent.length} values; run ${set.runId} uses ${set.dim}`)
  }
  return applyVectors(
    latent,
    edits.map((edit) => ({
      vector: attributeDirection(
        setFor(edit.method ?? 'mean-diff'),
        edit.attribute,
        edit.orthogonalTo ?? [],
      ),
      intensity: edit.intensity,
    })),
  )
}

/**
 * A run's attribute vectors (all attributes at once, from its cached latents) with a quality score
 * each, cached per run; and the directions edits use, plain or conditional.
 */
import {
  attributeVectorAucs,
  computeAttributeVectors,
  computeLinearAttributeVectors,
  conditionalVector,
  vectorRow,
} from '../../analysis'
import { applyVectors } from '../../../shared/latent'
import type { Db } from '../../store/database'
import {
  float32FromBase64,
  latentFingerprint,
  readCached,
  toBase64,
  writeCached,
} from './analysisCache'
import { attributeIndexIn, loadLabels, requireLatentTable } from './latentData'

const TEST_SPLIT = 2

/**
 * How a direction is found: the seed's difference of class means, or the normal of an
 * L2-regularised logistic regression on the latents (fitted on the rows outside the test split).
 */
export type DirectionMethod = 'mean-diff' | 'linear'
export const DIRECTION_METHODS: readonly DirectionMethod[] = ['mean-diff', 'linear']

export interface AttributeVectorSet {
  runId: number
  /** How many latents the vectors were computed from. */
  latents: number
  dim: number
  names: string[]
  /** A×D unit rows; all zeros where a class was empty. */
  vectors: Float32Array
  valid: boolean[]
  positives: number[]
  negatives: number[]
  aucs: (number | null)[]
  /** Where the AUCs were measured: the test split, or every row when the test split is empty. */
  aucRows: 'test' | 'all'
  /** Absent in sets cached before there was a choice: those are mean differences. */
  method?: DirectionMethod
}

interface CachedVectors extends Omit<AttributeVectorSet, 'vectors'> {
  vectors: string
}

const KIND = 'vectors'

/** Vectors from the cache when the run's latents and labels are unchanged, else computed and stored. */
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
    return { ...parsed, vectors: float32FromBase64(parsed.vectors), cached: true }
  }
  const set = computeVectorSet(db, projectRoot, runId, method)
  const stored: CachedVectors = { ...set, vectors: toBase64(set.vectors) }
  writeCached(db, runId, KIND, key, fingerprint, Buffer.from(JSON.stringify(stored), 'utf8'))
  return { ...set, cached: false }
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
  const testRows: number[] = []
  const fitRows: number[] = []
  for (let i = 0; i < table.n; i++) (splits[i] === TEST_SPLIT ? testRows : fitRows).push(i)
  const aucRows = testRows.length > 0 ? 'test' : 'all'
  const result =
    method === 'linear'
      ? computeLinearAttributeVectors(table.mu, table.n, table.dim, labels, a, fitRows)
      : computeAttributeVectors(table.mu, table.n, table.dim, labels, a)
  const aucs = attributeVectorAucs(
    table.mu,
    table.n,
    table.dim,
    labels,
    a,
    result.vectors,
    aucRows === 'test' ? Uint32Array.from(testRows) : undefined,
  )
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
    aucRows,
    method,
  }
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

/**
 * A run's own attributes: made from a selection (against the rest, or against a second selection),
 * refitted when faces are ticked by hand, listed beside the built-in ones wherever attribute
 * vectors are used (sliders, strips, conditional edits, map colours). The studio's service and the
 * CLI both call these.
 */
import { fitCustomAttribute } from '../../analysis'
import type { Db } from '../../store/database'
import {
  customAttributeFaces,
  deleteCustomAttribute,
  findCustomAttributeRow,
  listCustomAttributeRows,
  saveCustomAttributeFaces,
  setCustomAttributeFace,
  storeCustomAttributeFit,
  type CustomAttributeRow,
  type Versus,
} from '../../store/customAttributes'
import { attributeNames, knownImageIds } from '../../store/images'
import type { LatentTable } from '../../store/latentTable'
import { requireLatentTable } from './latentData'
import type { AttributeVectorSet } from './vectorSet'

/** The held-out AUC's split is seeded, so the same groups always give the same AUC. */
const HELD_OUT_SHARE = 0.25
const HELD_OUT_SEED = 7

export interface CustomAttributeInfo {
  name: string
  auc: number | null
  positives: number
  negatives: number
  versus: Versus
}

function info(row: CustomAttributeRow): CustomAttributeInfo {
  return {
    name: row.name,
    auc: row.auc,
    positives: row.positives,
    negatives: row.negatives,
    versus: row.versus,
  }
}

export function checkCustomName(db: Db, name: string): string {
  const trimmed = name.trim()
  if (trimmed.length === 0 || trimmed.length > 64)
    throw new Error(`attribute name "${name}": give 1 to 64 characters`)
  const lower = trimmed.toLowerCase()
  const builtIn = attributeNames(db).find((n) => n.toLowerCase() === lower)
  if (builtIn)
    throw new Error(
      `attribute name "${trimmed}" is a built-in attribute (${builtIn}); choose another, e.g. "my: ${trimmed}"`,
    )
  return trimmed
}

function requireRow(db: Db, runId: number, name: string): CustomAttributeRow {
  const row = findCustomAttributeRow(db, runId, name)
  if (!row) {
    const known = listCustomAttributeRows(db, runId).map((r) => r.name)
    throw new Error(
      `run ${runId} has no custom attribute "${name}"${known.length > 0 ? `; it has: ${known.join(', ')}` : ''}`,
    )
  }
  return row
}

/** Rows of the latent table holding the given image ids (ids without a latent are skipped). */
function rowsOf(table: LatentTable, imageIds: readonly number[]): number[] {
  const rows: number[] = []
  for (const id of imageIds) {
    // imageIds is ascending: binary search.
    let lo = 0
    let hi = table.n - 1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      const v = table.imageIds[mid] as number
      if (v === id) {
        rows.push(mid)
        break
      }
      if (v < id) lo = mid + 1
      else hi = mid - 1
    }
  }
  return rows
}

/** Fits the attribute's direction and held-out AUC from its faces and the run's latents. */
export function refitCustomAttribute(
  db: Db,
  projectRoot: string,
  row: CustomAttributeRow,
  table: LatentTable = requireLatentTable(db, projectRoot, row.runId),
): CustomAttributeInfo {
  const faces = customAttributeFaces(db, row.id)
  const positives = rowsOf(table, faces.positives)
  let negatives: number[]
  if (row.versus === 'rest') {
    const taken = new Uint8Array(table.n)
    for (const r of positives) taken[r] = 1
    negatives = []
    for (let r = 0; r < table.n; r++) if (!taken[r]) negatives.push(r)
  } else negatives = rowsOf(table, faces.negatives)
  const fit = fitCustomAttribute(table.mu, table.dim, positives, negatives, {
    heldOutShare: HELD_OUT_SHARE,
    seed: HELD_OUT_SEED,
  })
  storeCustomAttributeFit(db, row.id, fit)
  return { ...info(row), auc: fit.auc, positives: fit.positives, negatives: fit.negatives }
}

/** Every id must name an image of the project; the error names the first that does not. */
function checkImageIds(db: Db, ids: readonly number[], what: string): void {
  const known = knownImageIds(db)
  const unknown = ids.find((id) => !known.has(id))
  if (unknown !== undefined)
    throw new Error(`${what}: image ${unknown} is not in this project; select faces of its dataset`)
}

export interface NewCustomAttribute {
  name: string
  positives: readonly number[]
  /** A second selection; without it, every other encoded face is a negative. */
  negatives?: readonly number[] | undefined
}

/** Creates (or replaces) a custom attribute from selections and fits it. */
export function addCustomAttribute(
  db: Db,
  projectRoot: string,
  runId: number,
  request: NewCustomAttribute,
): CustomAttributeInfo {
  const name = checkCustomName(db, request.name)
  if (request.positives.length === 0)
    throw new Error(`attribute "${name}": the selection of faces that have it is empty`)
  const table = requireLatentTable(db, projectRoot, runId)
  const encoded = rowsOf(table, [...request.positives]).length
  if (encoded === 0) {
    throw new Error(
      `attribute "${name}": none of the ${request.positives.length} selected faces is encoded in run ${runId}; run \`face-studio encode --project ${projectRoot} --run ${runId}\` first`,
    )
  }
  if (request.negatives && request.negatives.length === 0)
    throw new Error(`attribute "${name}": the selection of faces that lack it is empty`)
  checkImageIds(db, request.positives, `attribute "${name}", faces that have it`)
  if (request.negatives)
    checkImageIds(db, request.negatives, `attribute "${name}", faces that lack it`)
  const versus: Versus = request.negatives ? 'selection' : 'rest'
  const id = saveCustomAttributeFaces(db, runId, name, versus, {
    positives: request.positives,
    negatives: request.negatives ?? [],
  })
  const row = findCustomAttributeRow(db, runId, name)
  if (!row || row.id !== id) throw new Error(`attribute "${name}" was not saved`)
  return refitCustomAttribute(db, projectRoot, row, table)
}

export function listCustomAttributes(db: Db, runId: number): CustomAttributeInfo[] {
  return listCustomAttributeRows(db, runId).map(info)
}

export function removeCustomAttribute(db: Db, runId: number, name: string): { removed: string } {
  const row = requireRow(db, runId, name)
  deleteCustomAttribute(db, row.id)
  return { removed: row.name }
}

/** Hand labelling: a face ticked as having (1) or lacking (−1) the attribute, or forgotten (0). */
export function labelCustomFace(
  db: Db,
  projectRoot: string,
  runId: number,
  name: string,
  imageId: number,
  label: 1 | -1 | 0,
): CustomAttributeInfo {
  const row = requireRow(db, runId, name)
  checkImageIds(db, [imageId], `attribute "${row.name}"`)
  setCustomAttributeFace(db, row.id, imageId, label)
  return refitCustomAttribute(db, projectRoot, row)
}

/** The faces ticked for an attribute, so the grid can show them. */
export function customAttributeLabels(
  db: Db,
  runId: number,
  name: string,
): { positives: number[]; negatives: number[] } {
  return customAttributeFaces(db, requireRow(db, runId, name).id)
}

/** The built-in vector set with the run's custom attributes after it, so edits and strips take both. */
export function withCustomAttributes<T extends AttributeVectorSet>(db: Db, set: T): T {
  const rows = listCustomAttributeRows(db, set.runId).filter(
    (r) => !set.names.some((n) => n.toLowerCase() === r.name.toLowerCase()),
  )
  if (rows.length === 0) return set
  const a = set.names.length
  const vectors = new Float32Array((a + rows.length) * set.dim)
  vectors.set(set.vectors)
  const valid = [...set.valid]
  rows.forEach((row, k) => {
    const ok = row.vector !== null && row.vector.length === set.dim
    if (ok) vectors.set(row.vector as Float32Array, (a + k) * set.dim)
    valid.push(ok)
  })
  return {
    ...set,
    names: [...set.names, ...rows.map((r) => r.name)],
    vectors,
    valid,
    positives: [...set.positives, ...rows.map((r) => r.positives)],
    negatives: [...set.negatives, ...rows.map((r) => r.negatives)],
    aucs: [...set.aucs, ...rows.map((r) => r.auc)],
    custom: [...set.names.map(() => false), ...rows.map(() => true)],
  }
}

/**
 * Map colours for a custom attribute: 1 for its faces, −1 for the faces it is told apart from (the
 * second selection, or every other face), 0 otherwise; null when the run has no such attribute.
 */
export function customColours(
  db: Db,
  runId: number,
  imageIds: Int32Array,
  name: string,
): Int8Array | null {
  const row = findCustomAttributeRow(db, runId, name)
  if (!row) return null
  const faces = customAttributeFaces(db, row.id)
  const label = new Map<number, number>()
  for (const id of faces.negatives) label.set(id, -1)
  for (const id of faces.positives) label.set(id, 1)
  const rest = row.versus === 'rest' ? -1 : 0
  const out = new Int8Array(imageIds.length)
  for (let i = 0; i < imageIds.length; i++) out[i] = label.get(imageIds[i] as number) ?? rest
  return out
}

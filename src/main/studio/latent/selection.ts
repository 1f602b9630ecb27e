/**
 * Groups of faces picked on the map or by file name: selecting by box on a cached map, reading a list
 * of ids or file names, finding faces, a selection's attribute make-up and its mean latent. The
 * studio's service and the CLI both call these.
 */
import { readFileSync } from 'node:fs'
import { attributeMakeup, type AttributeShare } from '../../analysis'
import type { MapMethod } from '../../../shared/contractLatent'
import { pointsInBox } from '../../../shared/selection/lasso'
import {
  normaliseIds,
  selectionFileSchema,
  type SelectionFile,
} from '../../../shared/selection/selectionFile'
import type { Db } from '../../store/database'
import { findImageById, imageFiles, okImageIds, searchImagesByFile } from '../../store/images'
import { loadLabels } from '../../store/latentTable'
import { findImage, requireLatentTable } from './latentData'
import { cachedMap } from './maps'

/** The ids of the points of a run's cached map inside a box in map coordinates. */
export function selectByBox(
  db: Db,
  projectRoot: string,
  runId: number,
  method: MapMethod,
  box: readonly [number, number, number, number],
): number[] {
  const map = cachedMap(db, runId, method)
  if (!map) {
    throw new Error(
      `run ${runId} has no ${method} map yet; run \`face-studio map --project ${projectRoot} --method ${method} --out map.png\` first`,
    )
  }
  const xs = new Float32Array(map.points)
  const ys = new Float32Array(map.points)
  for (let i = 0; i < map.points; i++) {
    xs[i] = map.coords[2 * i] as number
    ys[i] = map.coords[2 * i + 1] as number
  }
  const hits = pointsInBox(xs, ys, box[0], box[1], box[2], box[3])
  return normaliseIds(Array.from(hits, (i) => map.imageIds[i] as number))
}

/** Dataset ids from numbers or file names (e.g. 000010.jpg); an unknown one is an error naming it. */
export function resolveImageRefs(db: Db, projectRoot: string, refs: readonly string[]): number[] {
  return normaliseIds(
    refs.map((ref) => findImage(db, projectRoot, /^\d+$/.test(ref) ? Number(ref) : ref).id),
  )
}

/** A text file of ids or file names, one per line or separated by commas; # starts a comment. */
export function readIdsFile(db: Db, projectRoot: string, file: string): number[] {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    throw new Error(`${file}: cannot read the ids file (${(error as Error).message})`, {
      cause: error,
    })
  }
  const refs = text
    .split('\n')
    .map((line) => line.replace(/#.*$/, ''))
    .flatMap((line) => line.split(','))
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
  if (refs.length === 0) throw new Error(`${file}: names no image; give one id or file per line`)
  return resolveImageRefs(db, projectRoot, refs)
}

export function selectionFile(db: Db, imageIds: readonly number[], source?: string): SelectionFile {
  const ids = normaliseIds(imageIds)
  return { imageIds: ids, files: imageFiles(db, ids), ...(source ? { source } : {}) }
}

/** A selection file's ids, with a clear error naming the file when it is not one. */
export function readSelectionFile(file: string): number[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'))
  } catch (error) {
    throw new Error(
      `${file}: not a selection file (${(error as Error).message}); make one with \`face-studio select\``,
      { cause: error },
    )
  }
  const result = selectionFileSchema.safeParse(parsed)
  if (!result.success) {
    const issue = result.error.issues[0]
    throw new Error(
      `${file}: not a selection file: ${issue?.path.join('.') || 'root'}: ${issue?.message ?? 'invalid'}`,
    )
  }
  return normaliseIds(result.data.imageIds)
}

export interface FoundFace {
  imageId: number
  file: string
}

/** Faces whose id is the query or whose file name contains it, exact matches first. */
export function findFaces(db: Db, query: string, limit: number): FoundFace[] {
  const q = query.trim()
  if (q.length === 0) return []
  const out: FoundFace[] = []
  if (/^\d+$/.test(q)) {
    const byId = findImageById(db, Number(q))
    if (byId) out.push({ imageId: byId.id, file: byId.file })
  }
  for (const row of searchImagesByFile(db, q, limit))
    if (!out.some((f) => f.imageId === row.id)) out.push({ imageId: row.id, file: row.file })
  return out.slice(0, limit)
}

/** Per attribute, its share among the selected faces and among all faces of the dataset. */
export function selectionMakeup(
  db: Db,
  imageIds: readonly number[],
): { selected: number; total: number; attributes: AttributeShare[] } {
  const all = okImageIds(db)
  const { names, labels } = loadLabels(db, all)
  const wanted = new Set(imageIds)
  const rows: number[] = []
  for (let i = 0; i < all.length; i++) if (wanted.has(all[i] as number)) rows.push(i)
  return {
    selected: rows.length,
    total: all.length,
    attributes: attributeMakeup(labels, names, rows),
  }
}

/** The mean μ of the selected faces that the run has encoded. */
export function meanLatent(
  db: Db,
  projectRoot: string,
  runId: number,
  imageIds: readonly number[],
): { latent: number[]; faces: number } {
  const table = requireLatentTable(db, projectRoot, runId)
  const wanted = new Set(imageIds)
  const sum = new Float64Array(table.dim)
  let faces = 0
  for (let r = 0; r < table.n; r++) {
    if (!wanted.has(table.imageIds[r] as number)) continue
    faces++
    for (let d = 0; d < table.dim; d++)
      sum[d] = (sum[d] as number) + (table.mu[r * table.dim + d] as number)
  }
  if (faces === 0)
    throw new Error(
      `none of the ${imageIds.length} selected faces is encoded in run ${runId}; encode the run first`,
    )
  return { latent: Array.from(sum, (v) => v / faces), faces }
}

/**
 * 2-D maps of a run's latents by PCA, UMAP or t-SNE, cached per run, method and limit. UMAP and t-SNE
 * on many points are fitted on a seeded subsample in a PCA-reduced space and the other points are
 * placed from their nearest fitted neighbours (see analysis/mapMath), which keeps a 20,000-point map within
 * about half a minute on two cores. computeMap runs the projection on a worker thread (mapWorker).
 */
import { pca2, pcaReduce, placeByNeighbours, seededSubsample, umap2 } from '../../analysis'
import { tsne2 } from '../../analysis/tsne'
import { findCustomAttributeRow } from '../../store/customAttributes'
import type { Db } from '../../store/database'
import { mapMethodSchema, type MapMethod } from '../../../shared/contractLatent'
import type { TaskControl } from '../../../shared/progress'
import { latentFingerprint, readCached, writeCached } from '../../store/analysisCache'
import { float32FromBase64, int32FromBase64, toBase64 } from './analysisCache'
import { customColours } from './customAttributes'
import { attributeNames } from '../../store/images'
import { loadLabels, type LatentTable } from '../../store/latentTable'
import { attributeIndexIn, requireLatentTable } from './latentData'
import { runMapWorker } from './mapWorkerHost'

export interface MapData {
  runId: number
  method: MapMethod
  points: number
  seconds: number
  /** n×2 */
  coords: Float32Array
  imageIds: Int32Array
}

export const UMAP_FIT_POINTS = 2500
export const UMAP_REDUCED_DIMS = 32
const UMAP_EPOCHS = 200
export const TSNE_FIT_POINTS = 5000
export const TSNE_REDUCED_DIMS = 50
const PLACE_NEIGHBOURS = 8

/** Refuses an unknown method before any job starts. */
export function checkMapMethod(method: MapMethod): void {
  if (!mapMethodSchema.options.includes(method))
    throw new Error(
      `unknown map method ${String(method)}; use ${mapMethodSchema.options.join(', ')}`,
    )
}

const KIND = 'map'
const cacheKey = (method: MapMethod, limit?: number): string => `${method}:${limit ?? 'all'}`

type FitFn = (data: Float32Array, m: number, dim: number) => Promise<Float32Array>

/**
 * Reduces the latents by PCA, fits `fit` on a seeded subsample of at most `fitPoints` rows and
 * places every other row at the weighted mean of its nearest fitted rows.
 */
async function fitThenPlace(
  mu: Float32Array,
  n: number,
  dim: number,
  reducedDims: number,
  fitPoints: number,
  fit: FitFn,
  control: TaskControl,
): Promise<Float32Array> {
  control.onProgress?.({ phase: 'reducing', done: 0, total: 1 })
  const reducedDim = Math.min(dim, reducedDims)
  const reduced = await pcaReduce(mu, n, dim, reducedDim, control)
  const fitted = seededSubsample(n, fitPoints, 17)
  const m = fitted.length
  const fitData = new Float32Array(m * reducedDim)
  fitted.forEach((row, j) =>
    fitData.set(reduced.subarray(row * reducedDim, (row + 1) * reducedDim), j * reducedDim),
  )
  const coords = await fit(fitData, m, reducedDim)
  if (m === n) return coords
  return placeByNeighbours(reduced, n, reducedDim, fitted, coords, PLACE_NEIGHBOURS, control)
}

/** The 2-D layout of n×dim latents by the chosen method. */
export async function projectLatents(
  method: MapMethod,
  mu: Float32Array,
  n: number,
  dim: number,
  control: TaskControl = {},
): Promise<Float32Array> {
  checkMapMethod(method)
  if (n < 2) throw new Error(`a map needs at least 2 latents; there are ${n}`)
  if (method === 'pca') return (await pca2(mu, n, dim, control)).coords
  if (method === 'tsne') {
    const fit: FitFn = async (data, m, d) => (await tsne2(data, m, d, { seed: 42 }, control)).coords
    return fitThenPlace(mu, n, dim, TSNE_REDUCED_DIMS, TSNE_FIT_POINTS, fit, control)
  }
  if (n < 3) throw new Error(`a UMAP map needs at least 3 latents; there are ${n}`)
  const fit: FitFn = async (data, m, d) =>
    (
      await umap2(
        data,
        m,
        d,
        { nNeighbors: Math.min(15, m - 1), seed: 42, nEpochs: UMAP_EPOCHS },
        control,
      )
    ).coords
  return fitThenPlace(mu, n, dim, UMAP_REDUCED_DIMS, UMAP_FIT_POINTS, fit, control)
}

interface StoredMap {
  points: number
  seconds: number
  coords: string
  imageIds: string
}

/** A cached map, when the run's latents are unchanged since it was computed. */
export function cachedMap(
  db: Db,
  runId: number,
  method: MapMethod,
  limit?: number,
  fingerprint = latentFingerprint(db, runId),
): MapData | null {
  const hit = readCached(db, runId, KIND, cacheKey(method, limit), fingerprint)
  if (!hit) return null
  const stored = JSON.parse(hit.toString('utf8')) as StoredMap
  return {
    runId,
    method,
    points: stored.points,
    seconds: stored.seconds,
    coords: float32FromBase64(stored.coords),
    imageIds: int32FromBase64(stored.imageIds),
  }
}

/**
 * The latents a map is computed from and the fingerprint they had, read in one transaction so a
 * concurrent encode cannot make the cached map claim latents it was not computed from.
 */
export function readMapInputs(
  db: Db,
  projectRoot: string,
  runId: number,
  limit?: number,
): { table: LatentTable; fingerprint: string } {
  return db.transaction(() => ({
    fingerprint: latentFingerprint(db, runId),
    table: requireLatentTable(db, projectRoot, runId, limit !== undefined ? { limit } : {}),
  }))()
}

/**
 * Computes (or reuses) the map and stores it in the cache. The projection runs on a worker thread
 * that reads the latents itself; cancelling the signal stops it at once.
 */
export async function computeMap(
  db: Db,
  projectRoot: string,
  runId: number,
  method: MapMethod,
  limit?: number,
  control: TaskControl = {},
): Promise<MapData & { cached: boolean }> {
  checkMapMethod(method)
  const hit = cachedMap(db, runId, method, limit)
  if (hit) return { ...hit, cached: true }
  const started = performance.now()
  const job = {
    dbFile: db.name,
    projectRoot,
    runId,
    method,
    ...(limit !== undefined ? { limit } : {}),
  }
  const { points, coords, imageIds, fingerprint } = await runMapWorker(job, control)
  const seconds = (performance.now() - started) / 1000
  const map: MapData = { runId, method, points, seconds, coords, imageIds }
  storeMap(db, map, limit, fingerprint)
  return { ...map, cached: false }
}

/** Keeps a map in the cache, valid while the run's latents still have `fingerprint`. */
export function storeMap(
  db: Db,
  map: MapData,
  limit: number | undefined,
  fingerprint: string,
): void {
  const stored: StoredMap = {
    points: map.points,
    seconds: map.seconds,
    coords: toBase64(map.coords),
    imageIds: toBase64(map.imageIds),
  }
  writeCached(
    db,
    map.runId,
    KIND,
    cacheKey(map.method, limit),
    fingerprint,
    Buffer.from(JSON.stringify(stored), 'utf8'),
  )
}

/** The attribute a map is coloured by, as the run's own attributes or the dataset spell it. */
export function colourName(db: Db, runId: number, attribute: string): string {
  const own = findCustomAttributeRow(db, runId, attribute)
  if (own) return own.name
  const names = attributeNames(db)
  return names[attributeIndexIn(names, attribute)] as string
}

/** 1, −1 or 0 per map point for one attribute (named case-insensitively), built-in or the run's own. */
export function mapColours(
  db: Db,
  imageIds: Int32Array,
  attribute: string,
  runId?: number,
): Int8Array {
  const { names, labels } = loadLabels(db, imageIds)
  const builtIn = names.some((n) => n.toLowerCase() === attribute.toLowerCase())
  const custom =
    !builtIn && runId !== undefined ? customColours(db, runId, imageIds, attribute) : null
  if (custom) return custom
  const a = attributeIndexIn(names, attribute)
  const out = new Int8Array(imageIds.length)
  for (let i = 0; i < imageIds.length; i++) out[i] = labels[i * names.length + a] as number
  return out
}

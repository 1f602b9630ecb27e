/**
 * The latent-space operations the studio and the CLI share, over a FaceModel: attribute strips,
 * nearest real faces and their picture.
 */
import { nearestNeighbours } from '../../analysis'
import { openImageCache } from '../../dataset/imageCache'
import type { Db } from '../../store/database'
import type { ProjectPaths } from '../../store/projectFolder'
import type { FaceModel } from '../faceModel'
import { datasetCrop, datasetLatent, encodeImageFile } from './faces'
import { imageFiles } from '../../store/images'
import { findImage, requireLatentTable } from './latentData'
import { strengthLabel, strengths } from './plots'
import { captionedRowPng } from './render'
import { attributeDirection, type AttributeVectorSet } from './vectors'

export interface StripRequest {
  attribute: string
  orthogonalTo?: readonly string[]
  from: number
  to: number
  steps: number
}

/** The face decoded at each strength along one attribute direction, captioned with the strength. */
export async function stripPng(
  model: FaceModel,
  set: AttributeVectorSet,
  latent: Float32Array,
  request: StripRequest,
): Promise<Buffer> {
  if (latent.length !== set.dim) {
    throw new Error(`the latent has ${latent.length} values; run ${set.runId} uses ${set.dim}`)
  }
  const direction = attributeDirection(set, request.attribute, request.orthogonalTo ?? [])
  const values = strengths(request.from, request.to, request.steps)
  const dim = set.dim
  const batch = new Float32Array(values.length * dim)
  values.forEach((s, i) => {
    for (let d = 0; d < dim; d++)
      batch[i * dim + d] = (latent[d] as number) + s * (direction[d] as number)
  })
  const faces = await model.decode(batch)
  return captionedRowPng(faces, model.size, values.map(strengthLabel))
}

export interface NeighbourItem {
  imageId: number
  file: string
  distance: number
}

/** The k dataset faces whose μ is nearest to the latent (optionally leaving one image out). */
export function nearestFaces(
  db: Db,
  projectRoot: string,
  runId: number,
  latent: ArrayLike<number>,
  k: number,
  excludeImageId?: number,
): NeighbourItem[] {
  const table = requireLatentTable(db, projectRoot, runId)
  if (latent.length !== table.dim) {
    throw new Error(`the latent has ${latent.length} values; run ${runId} uses ${table.dim}`)
  }
  const exclude: number[] = []
  if (excludeImageId !== undefined) {
    const row = table.imageIds.indexOf(excludeImageId)
    if (row >= 0) exclude.push(row)
  }
  const found = nearestNeighbours(latent, table.mu, table.n, table.dim, k, { exclude })
  const ids = found.map((f) => table.imageIds[f.index] as number)
  const files = imageFiles(db, ids)
  return found.map((f, i) => ({
    imageId: ids[i] as number,
    file: files[i] as string,
    distance: f.distance,
  }))
}

function rgbToRgba(rgb: Uint8Array): Uint8ClampedArray {
  const n = rgb.length / 3
  const out = new Uint8ClampedArray(n * 4)
  for (let i = 0; i < n; i++) {
    out[i * 4] = rgb[i * 3] as number
    out[i * 4 + 1] = rgb[i * 3 + 1] as number
    out[i * 4 + 2] = rgb[i * 3 + 2] as number
    out[i * 4 + 3] = 255
  }
  return out
}

/** The query face (RGB, size×size) then its neighbours' real faces from the image cache. */
export async function neighboursPng(
  db: Db,
  paths: ProjectPaths,
  size: number,
  queryRgb: Uint8Array,
  queryLabel: string,
  items: readonly NeighbourItem[],
): Promise<Buffer> {
  const cache = openImageCache(db, paths, size, datasetCrop(db))
  let pixels: Uint8Array
  try {
    pixels = await cache.readBatch(items.map((item) => item.imageId))
  } finally {
    await cache.close()
  }
  const all = new Uint8Array(queryRgb.length + pixels.length)
  all.set(queryRgb)
  all.set(pixels, queryRgb.length)
  return captionedRowPng(rgbToRgba(all), size, [
    queryLabel,
    ...items.map((item) => `d ${item.distance.toFixed(2)}`),
  ])
}

/** A face given by a dataset image or the user's photo: its latent and its pixels as they are. */
export interface QueryFace {
  latent: Float32Array
  rgb: Uint8Array
  label: string
  imageId: number | null
}

export async function queryFace(
  db: Db,
  paths: ProjectPaths,
  model: FaceModel,
  source: { kind: 'image'; imageId: number } | { kind: 'file'; path: string },
): Promise<QueryFace> {
  if (source.kind === 'file') {
    const { latent, pixels } = await encodeImageFile(db, model, source.path)
    return { latent, rgb: pixels, label: 'your photo', imageId: null }
  }
  const image = findImage(db, paths.root, source.imageId)
  const cache = openImageCache(db, paths, model.size, datasetCrop(db))
  let rgb: Uint8Array
  try {
    rgb = await cache.readBatch([image.id])
  } finally {
    await cache.close()
  }
  return {
    latent: await datasetLatent(db, paths, model, image.id),
    rgb,
    label: image.file.split('/').pop() ?? image.file,
    imageId: image.id,
  }
}

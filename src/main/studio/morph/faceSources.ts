/**
 * Keyframe sources → latents (and, where there is one, the real face behind them): dataset images by
 * their stored latent (encoded from the cache when missing), prior samples by seed, the user's own
 * photos cropped the way the dataset was, and raw latents as they are.
 */
import { basename } from 'node:path'
import type { FaceSource } from '../../../shared/contractLatent'
import { DEFAULT_CROP, type CropSpec } from '../../dataset/crop'
import { openImageCache } from '../../dataset/imageCache'
import { notAnOpenableImage, readPhotoFile } from '../../dataset/photoFile'
import { preprocessImage } from '../../dataset/preprocess'
import type { Db } from '../../store/database'
import { findImageById } from '../../store/images'
import { latentOf } from '../../store/latents'
import type { ProjectPaths } from '../../store/projectFolder'
import type { FaceModel } from '../faceModel'
// The latent room's helpers, so a seed or a photo gives the same face in every screen.
import { sampleLatent } from '../../../shared/latent'
import { datasetCrop } from '../latent/faces'

export interface ResolvedKeyframe {
  latent: Float32Array
  /** The real face (RGB, size×size) for dataset images and photos; null for samples and latents. */
  original: Uint8Array | null
  label: string
}

/** A dataset image by file name as ingested (e.g. 000010.jpg, or a path ending in it). */
function imageFile(db: Db, imageId: number): string {
  const row = findImageById(db, imageId)
  if (!row) throw new Error(`image ${imageId}: not an ingested image of this project`)
  return row.file
}

/** A photo on disk as the model sees faces: the dataset's crop, resized to size×size RGB. */
export async function photoPixels(path: string, size: number, crop: CropSpec): Promise<Uint8Array> {
  const result = await preprocessImage(path, size, crop, readPhotoFile)
  if (!result.ok) throw notAnOpenableImage(path)
  return result.pixels
}

async function datasetPixels(
  db: Db,
  paths: ProjectPaths,
  size: number,
  imageIds: readonly number[],
): Promise<Uint8Array[]> {
  if (imageIds.length === 0) return []
  const cache = openImageCache(db, paths, size)
  try {
    const all = await cache.readBatch(imageIds)
    const slot = size * size * 3
    return imageIds.map((_, i) => all.slice(i * slot, (i + 1) * slot))
  } finally {
    await cache.close()
  }
}

/** The real faces behind sources (dataset images, photos) at the model's size; null for the rest. */
export async function originalFaces(
  db: Db,
  paths: ProjectPaths,
  size: number,
  sources: readonly FaceSource[],
): Promise<(Uint8Array | null)[]> {
  const imageIds = sources.flatMap((s) => (s.kind === 'image' ? [s.imageId] : []))
  imageIds.forEach((id) => imageFile(db, id))
  const pixels = await datasetPixels(db, paths, size, imageIds)
  const crop = sources.some((s) => s.kind === 'file') ? datasetCrop(db) : DEFAULT_CROP
  let next = 0
  return Promise.all(
    sources.map(async (s) => {
      if (s.kind === 'image') return pixels[next++] as Uint8Array
      if (s.kind === 'file') return photoPixels(s.path, size, crop)
      return null
    }),
  )
}

function sourceLabel(db: Db, source: FaceSource): string {
  switch (source.kind) {
    case 'image':
      return basename(imageFile(db, source.imageId))
    case 'sample':
      return `sample ${source.seed}`
    case 'file':
      return basename(source.path)
    case 'latent':
      return source.label ?? 'latent'
  }
}

/** Latents of every source for this model, with their originals; photos and unencoded images are encoded in one batch. */
export async function resolveKeyframes(
  db: Db,
  paths: ProjectPaths,
  model: FaceModel,
  sources: readonly FaceSource[],
): Promise<ResolvedKeyframe[]> {
  const dim = model.latentDim
  const originals = await originalFaces(db, paths, model.size, sources)
  const latents: (Float32Array | null)[] = sources.map((source, i) => {
    switch (source.kind) {
      case 'image':
        return latentOf(db, model.runId, source.imageId)?.mu ?? null
      case 'sample':
        return sampleLatent(dim, source.seed, source.temperature ?? 1)
      case 'file':
        return null
      case 'latent':
        if (source.latent.length !== dim) {
          throw new Error(
            `keyframe ${i + 1}: the latent has ${source.latent.length} values but run ${model.runId} uses ${dim}`,
          )
        }
        return Float32Array.from(source.latent)
    }
  })
  const todo = latents.flatMap((z, i) => (z === null ? [i] : []))
  if (todo.length > 0) {
    const slot = model.size * model.size * 3
    const batch = new Uint8Array(todo.length * slot)
    todo.forEach((i, k) => batch.set(originals[i] as Uint8Array, k * slot))
    const { mu } = await model.encode(batch)
    todo.forEach((i, k) => {
      latents[i] = mu.slice(k * dim, (k + 1) * dim)
    })
  }
  return sources.map((source, i) => ({
    latent: latents[i] as Float32Array,
    original: originals[i] ?? null,
    label: sourceLabel(db, source),
  }))
}

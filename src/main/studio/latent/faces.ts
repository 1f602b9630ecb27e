/**
 * Faces in and out of a run's model, written against FaceModel so the studio (inference process) and
 * the CLI (tfjs in its own process) share it: face sources → latents, latents → PNGs, and encoding
 * every cached dataset image into SQLite.
 */
import { cropKey, datasetDefaultCrop, DEFAULT_CROP, type CropSpec } from '../../dataset/crop'
import type { LayoutKind } from '../../dataset/layout'
import { findCache, openImageCache, validSlots } from '../../dataset/imageCache'
import { notAnOpenableImage, readPhotoFile } from '../../dataset/photoFile'
import { preprocessImage } from '../../dataset/preprocess'
import type { Db } from '../../store/database'
import { datasetRow } from '../../store/datasetRow'
import { encodedImageIds, insertLatents, latentOf } from '../../store/latents'
import type { ProjectPaths } from '../../store/projectFolder'
import { throwIfCancelled, type TaskControl } from '../../../shared/progress'
import type { FaceSource } from '../../../shared/contractLatent'
import { sampleLatent } from '../../../shared/latent'
import type { FaceModel } from '../faceModel'
import { findImage } from './latentData'
import { pngDataUrl } from '../../export/faceGrid'
import { encodeSmallPng } from '../../export/smallPng'

/**
 * The crop the dataset was ingested with (dataset.crop holds its key, dataset.layout whether CelebA's
 * crop scales with the image), so a photo matches it.
 */
export function datasetCrop(db: Db): CropSpec {
  const row = datasetRow(db)
  const crop = parseCropKey(row?.crop ?? cropKey(DEFAULT_CROP))
  return crop.kind === 'celeba' && row ? datasetDefaultCrop(row.layout as LayoutKind) : crop
}

export function parseCropKey(key: string): CropSpec {
  if (key === 'celeba') return { kind: 'celeba' }
  const center = /^center-([0-9.]+)$/.exec(key)
  if (center) return { kind: 'center', fraction: Number(center[1]) }
  const box = /^box-(\d+)-(\d+)-(\d+)$/.exec(key)
  if (box) {
    return { kind: 'box', left: Number(box[1]), top: Number(box[2]), side: Number(box[3]) }
  }
  return DEFAULT_CROP
}

/**
 * μ of the user's own photo: any size or format sharp reads, cropped as the dataset was (a box crop
 * that does not fit the photo falls back to CelebA's rule) and resized to the model's size.
 */
export async function encodeImageFile(
  db: Db,
  model: FaceModel,
  file: string,
): Promise<{ latent: Float32Array; pixels: Uint8Array }> {
  let crop = datasetCrop(db)
  const bytes = await readPhotoFile(file)
  const read = (): Promise<Buffer> => Promise.resolve(bytes)
  let pre = await preprocessImage(file, model.size, crop, read)
  if (!pre.ok && crop.kind === 'box' && pre.reason.startsWith('crop box')) {
    crop = DEFAULT_CROP
    pre = await preprocessImage(file, model.size, crop, read)
  }
  if (!pre.ok) throw notAnOpenableImage(file)
  const { mu } = await model.encode(pre.pixels)
  return { latent: mu, pixels: pre.pixels }
}

/** A dataset image's μ: stored when the run encoded it, else encoded now from the image cache. */
export async function datasetLatent(
  db: Db,
  paths: ProjectPaths,
  model: FaceModel,
  imageId: number,
): Promise<Float32Array> {
  const stored = latentOf(db, model.runId, imageId)
  if (stored) return stored.mu
  const cache = openImageCache(db, paths, model.size, datasetCrop(db))
  try {
    return (await model.encode(await cache.readBatch([imageId]))).mu
  } finally {
    await cache.close()
  }
}

export interface ResolvedLatent {
  latent: Float32Array
  label: string
  imageId: number | null
}

export async function resolveSource(
  db: Db,
  paths: ProjectPaths,
  model: FaceModel,
  source: FaceSource,
): Promise<ResolvedLatent> {
  switch (source.kind) {
    case 'image': {
      const image = findImage(db, paths.root, source.imageId)
      return {
        latent: await datasetLatent(db, paths, model, image.id),
        label: image.file,
        imageId: image.id,
      }
    }
    case 'sample': {
      const temperature = source.temperature ?? 1
      return {
        latent: sampleLatent(model.latentDim, source.seed, temperature),
        label: `sample ${source.seed} (T ${temperature})`,
        imageId: null,
      }
    }
    case 'file': {
      const { latent } = await encodeImageFile(db, model, source.path)
      return { latent, label: source.path.split(/[\\/]/).pop() ?? source.path, imageId: null }
    }
    case 'latent':
      if (source.latent.length !== model.latentDim) {
        throw new Error(
          `the latent has ${source.latent.length} values; run ${model.runId} uses ${model.latentDim}`,
        )
      }
      return {
        latent: Float32Array.from(source.latent),
        label: source.label ?? 'latent',
        imageId: null,
      }
  }
}

/** One RGBA face of size×size as a PNG. */
export function facePng(rgba: Uint8ClampedArray | Uint8Array, size: number): Promise<Buffer> {
  return Promise.resolve(encodeSmallPng(rgba.subarray(0, size * size * 4), size, size, 4))
}

/** Decodes N latents (N×D) to N PNG data URLs. */
export async function decodeToDataUrls(model: FaceModel, latents: Float32Array): Promise<string[]> {
  const faces = await model.decode(latents)
  const count = latents.length / model.latentDim
  const bytes = model.size * model.size * 4
  const out: string[] = []
  for (let i = 0; i < count; i++) {
    out.push(pngDataUrl(await facePng(faces.subarray(i * bytes, (i + 1) * bytes), model.size)))
  }
  return out
}

const ENCODE_BATCH = 64

/**
 * Every cached image of the dataset without a latent from the model's checkpoint, into SQLite, in
 * batches: new images, and images whose latent came from an earlier checkpoint of the run.
 */
export async function encodeRun(
  db: Db,
  paths: ProjectPaths,
  model: FaceModel,
  control: TaskControl = {},
): Promise<{ encoded: number; total: number; step: number }> {
  const crop = datasetCrop(db)
  const cacheInfo = findCache(db, paths, model.size, crop)
  if (!cacheInfo) {
    throw new Error(
      `${paths.root}: no ${model.size}×${model.size} image cache; ingest the dataset at ${model.size}×${model.size} first`,
    )
  }
  const all = validSlots(db, cacheInfo.id).map((slot) => slot.id)
  const done = encodedImageIds(db, model.runId, model.step)
  const todo = all.filter((id) => !done.has(id))
  const cache = openImageCache(db, paths, model.size, crop)
  const dim = model.latentDim
  try {
    for (let start = 0; start < todo.length; start += ENCODE_BATCH) {
      throwIfCancelled(control.signal)
      const ids = todo.slice(start, start + ENCODE_BATCH)
      const { mu, logVar } = await model.encode(await cache.readBatch(ids))
      insertLatents(
        db,
        model.runId,
        model.step,
        ids.map((imageId, i) => ({
          imageId,
          mu: mu.slice(i * dim, (i + 1) * dim),
          logVar: logVar.slice(i * dim, (i + 1) * dim),
        })),
      )
      control.onProgress?.({ phase: 'encoding', done: start + ids.length, total: todo.length })
    }
  } finally {
    await cache.close()
  }
  return { encoded: todo.length, total: all.length, step: model.step }
}

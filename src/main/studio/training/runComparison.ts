import sharp from 'sharp'
import type { RunComparison } from '../../../shared/contract'
import { meanSsim } from '../../analysis/imageQuality'
import { findCache, openImageCache, validSlots } from '../../dataset/imageCache'
import { pngDataUrl, tileFaces } from '../../export/faceGrid'
import { psnrRgbaVsRgb } from '../../export/quality'
import type { Db } from '../../store/database'
import type { ProjectPaths } from '../../store/projectFolder'
import type { FaceModel, ModelHost } from '../faceModel'
import { resolveRun } from '../../store/runs'
import { runImageSize } from '../latent/encodeStatus'
import { datasetCrop } from '../latent/faces'
import { trainingSplits } from './trainingSplits'

interface RunRow {
  originals: Uint8Array
  reconstructions: Uint8ClampedArray
  model: FaceModel
}

/**
 * The first validation faces present in the caches of every size the runs train at: the faces each
 * run's own preview shows, so the comparison is of the same people whatever the runs' sizes.
 */
function comparedImageIds(db: Db, paths: ProjectPaths, sizes: number[], count: number): number[] {
  const perSize = sizes.map((size) => {
    const cache = findCache(db, paths, size)
    if (!cache) {
      throw new Error(`${paths.root}: no ${size}×${size} image cache; ingest the dataset again`)
    }
    const splits = trainingSplits(validSlots(db, cache.id))
    const faces = splits.validation.length > 0 ? splits.validation : splits.train
    return faces.map((slot) => slot + 1)
  })
  const [first, ...others] = perSize as [number[], ...number[][]]
  const inOthers = others.map((ids) => new Set(ids))
  const common: number[] = []
  for (const id of first) {
    if (common.length === count) break
    if (inOthers.every((ids) => ids.has(id))) common.push(id)
  }
  if (common.length === 0) throw new Error(`${paths.root}: the dataset has no images to compare on`)
  return common
}

async function reconstruct(
  db: Db,
  paths: ProjectPaths,
  model: FaceModel,
  imageIds: number[],
): Promise<RunRow> {
  const cache = openImageCache(db, paths, model.size, datasetCrop(db))
  try {
    const originals = await cache.readBatch(imageIds)
    const { mu } = await model.encode(originals)
    return { originals, reconstructions: await model.decode(mu), model }
  } finally {
    await cache.close()
  }
}

/** Faces (RGB or RGBA, side×side each) as one row of the figure at `target` pixels a face. */
async function tileRow(
  faces: Uint8Array | Uint8ClampedArray,
  channels: 3 | 4,
  side: number,
  count: number,
  target: number,
  grid: Uint8Array,
  row: number,
): Promise<void> {
  if (side === target) {
    tileFaces(faces, channels, side, count, grid, target * count, row * target)
    return
  }
  // Faces lie one after another in memory: as a one-column image they resize in one call.
  const resized = await sharp(Buffer.from(faces.buffer, faces.byteOffset, faces.byteLength), {
    raw: { width: side, height: side * count, channels },
  })
    .removeAlpha()
    .resize(target, target * count, { kernel: side < target ? 'nearest' : 'lanczos3' })
    .raw()
    .toBuffer()
  tileFaces(resized, 3, target, count, grid, target * count, row * target)
}

/**
 * Two runs' reconstructions of the same validation faces, one after the other (the studio's
 * inference process holds one model at a time), with each run's PSNR and SSIM on them.
 */
export async function compareRuns(
  db: Db,
  paths: ProjectPaths,
  models: ModelHost,
  runIds: readonly [number, number],
  count: number,
): Promise<RunComparison> {
  const sizes = new Set(runIds.map((id) => runImageSize(resolveRun(db, paths, id))))
  const imageIds = comparedImageIds(db, paths, [...sizes], count)
  const rows: RunRow[] = []
  for (const runId of runIds) {
    rows.push(await reconstruct(db, paths, await models.forRun(db, paths, runId), imageIds))
  }
  const target = Math.max(...rows.map((r) => r.model.size))
  const largest = rows.find((r) => r.model.size === target) as RunRow
  const n = imageIds.length
  const grid = new Uint8Array(target * n * target * (rows.length + 1) * 3)
  await tileRow(largest.originals, 3, target, n, target, grid, 0)
  for (const [i, r] of rows.entries()) {
    await tileRow(r.reconstructions, 4, r.model.size, n, target, grid, i + 1)
  }
  const png = await sharp(grid, {
    raw: { width: target * n, height: target * (rows.length + 1), channels: 3 },
  })
    .png()
    .toBuffer()
  return {
    imageIds,
    image: pngDataUrl(png),
    runs: rows.map((r) => ({
      runId: r.model.runId,
      step: r.model.step,
      size: r.model.size,
      psnr: psnrRgbaVsRgb(r.reconstructions, r.originals),
      ssim: meanSsim(r.originals, 3, r.reconstructions, 4, n, r.model.size),
    })),
  }
}

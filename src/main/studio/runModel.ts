import { existsSync } from 'node:fs'
import { join } from 'node:path'
import {
  CHECKPOINT_FILE,
  pickBackend,
  Trainer,
  type BackendChoice,
  type BackendPick,
} from '../engine'
import { findCache, validSlots } from '../dataset/imageCache'
import { openImageCache } from '../dataset/imageCache'
import type { Db } from '../store/database'
import { encodedImageIds, insertLatents } from '../store/latents'
import type { ProjectPaths } from '../store/projectFolder'
import { getRun, latestTrainedRun, type RunRow } from '../store/runs'
import { throwIfCancelled, type TaskControl } from '../../shared/progress'

export interface RunModel {
  run: RunRow
  trainer: Trainer
  backend: BackendPick
  dispose(): void
}

/** A run's latest checkpoint, loaded for inference (the given run, else the newest trained one). */
export async function loadRunModel(
  db: Db,
  paths: ProjectPaths,
  runId?: number,
  backend: BackendChoice = 'auto',
): Promise<RunModel> {
  const run = runId === undefined ? latestTrainedRun(db) : getRun(db, runId)
  if (!run) {
    throw new Error(
      runId === undefined
        ? `${paths.database}: no trained run yet; run \`face-studio train --project ${paths.root}\` first`
        : `${paths.database}: there is no run ${runId}`,
    )
  }
  const checkpoint = join(run.dir, CHECKPOINT_FILE)
  if (!existsSync(checkpoint)) {
    throw new Error(
      `${checkpoint}: run ${run.id} has no checkpoint yet; train it for a few steps first`,
    )
  }
  const pick = await pickBackend(backend)
  const trainer = Trainer.load(checkpoint)
  return { run, trainer, backend: pick, dispose: () => trainer.dispose() }
}

const ENCODE_BATCH = 64

/**
 * μ and log σ² of every cached image into SQLite for this run; images already encoded are skipped,
 * so a second call only encodes what was added since.
 */
export async function encodeImages(
  db: Db,
  paths: ProjectPaths,
  model: RunModel,
  control: TaskControl = {},
): Promise<{ encoded: number; total: number }> {
  const size = model.trainer.config.model.size
  const cacheInfo = findCache(db, paths, size)
  if (!cacheInfo)
    throw new Error(`${paths.root}: no ${size}×${size} image cache; ingest with --size ${size}`)
  const all = validSlots(db, cacheInfo.id).map((slot) => slot.id)
  const done = encodedImageIds(db, model.run.id)
  const todo = all.filter((id) => !done.has(id))
  const cache = openImageCache(db, paths, size)
  const dim = model.trainer.config.model.latentDim
  try {
    for (let start = 0; start < todo.length; start += ENCODE_BATCH) {
      throwIfCancelled(control.signal)
      const ids = todo.slice(start, start + ENCODE_BATCH)
      const { mu, logVar } = model.trainer.encode(await cache.readBatch(ids))
      insertLatents(
        db,
        model.run.id,
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
  return { encoded: todo.length, total: all.length }
}

/** Cached pixels of dataset images named by file (e.g. 000001.jpg), in the order given. */
export async function readImagesByFile(
  db: Db,
  paths: ProjectPaths,
  size: number,
  files: readonly string[],
): Promise<Uint8Array> {
  const lookup = db.prepare(
    "SELECT id FROM images WHERE (file = ? OR file LIKE '%/' || ?) AND status = 'ok' ORDER BY length(file) LIMIT 1",
  )
  const ids = files.map((file) => {
    const row = lookup.get(file, file) as { id: number } | undefined
    if (!row) throw new Error(`${file}: not an ingested image of ${paths.root}`)
    return row.id
  })
  const cache = openImageCache(db, paths, size)
  try {
    return await cache.readBatch(ids)
  } finally {
    await cache.close()
  }
}

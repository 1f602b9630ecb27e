/**
 * Whether a run's latents follow its current checkpoint, and what encoding them would take: what the
 * screens' Encode action shows, and what decides whether a finished run needs an encode.
 */
import type { LatentStatus } from '../../../shared/contractLatent'
import { PRESETS, type PresetName } from '../../engine/model/config'
import { findCache, validSlots } from '../../dataset/imageCache'
import { getSetting, setSetting, type Db } from '../../store/database'
import { countLatents, countStaleLatents } from '../../store/latents'
import type { ProjectPaths } from '../../store/projectFolder'
import { latestTrainedRun, getRun, type RunRow } from '../../store/runs'
import { datasetCrop } from './faces'

/** Used until the run has encoded once on this machine: a conservative wasm figure for classic-64. */
export const DEFAULT_ENCODE_IMAGES_PER_SECOND = 250
/** Starting the inference process and loading the checkpoint. */
const MODEL_LOAD_SECONDS = 2

const rateKey = (runId: number): string => `encode.imagesPerSecond.run-${runId}`

/** Remembers how fast the run encoded here, for the next estimate. */
export function recordEncodeRate(db: Db, runId: number, images: number, seconds: number): void {
  if (images < 64 || seconds <= 0) return
  setSetting(db, rateKey(runId), String(images / seconds))
}

export function encodeRate(db: Db, runId: number): number {
  const stored = Number(getSetting(db, rateKey(runId)))
  return Number.isFinite(stored) && stored > 0 ? stored : DEFAULT_ENCODE_IMAGES_PER_SECOND
}

/** The image size of a run's model, from its stored config (no model needs loading). */
export function runImageSize(run: RunRow): number {
  try {
    const config = JSON.parse(run.config) as { train?: { model?: { size?: number } } }
    const size = config.train?.model?.size
    if (typeof size === 'number') return size
  } catch {
    // Fall back to the preset below.
  }
  return PRESETS[run.preset as PresetName]?.size ?? 64
}

/** Images of the dataset a run encodes: the valid slots of the cache at its model's size. */
export function encodableImages(db: Db, paths: ProjectPaths, run: RunRow): number {
  const cache = findCache(db, paths, runImageSize(run), datasetCrop(db))
  return cache ? validSlots(db, cache.id).length : 0
}

export function latentStatus(
  db: Db,
  paths: ProjectPaths,
  runId: number | undefined,
  jobId: string | null,
): LatentStatus {
  const run = runId === undefined ? latestTrainedRun(db) : getRun(db, runId)
  if (!run || run.stepsDone === 0) {
    return {
      runId: run?.id ?? null,
      step: 0,
      images: 0,
      current: 0,
      stale: 0,
      state: 'untrained',
      estimatedSeconds: 0,
      jobId,
    }
  }
  const images = encodableImages(db, paths, run)
  const current = countLatents(db, run.id)
  const stale = countStaleLatents(db, run.id)
  const missing = Math.max(images - current, 0)
  const state = missing === 0 ? 'ready' : current > 0 ? 'partial' : stale > 0 ? 'stale' : 'missing'
  return {
    runId: run.id,
    step: run.stepsDone,
    images,
    current,
    stale,
    state,
    estimatedSeconds:
      missing === 0 ? 0 : Math.ceil(MODEL_LOAD_SECONDS + missing / encodeRate(db, run.id)),
    jobId,
  }
}

import { runQualitySchema, type RunInfo, type RunQualityInfo } from '../../../shared/contract'
import type { RunRow } from '../../store/runs'

/** The stored adapter, or null (none, or a damaged entry: informative only). */
export function adapterOf(run: RunRow): RunInfo['adapter'] {
  if (!run.backendAdapter) return null
  try {
    const a = JSON.parse(run.backendAdapter) as Partial<NonNullable<RunInfo['adapter']>>
    return typeof a.name === 'string' && typeof a.vendor === 'string'
      ? { name: a.name, vendor: a.vendor, software: a.software === true }
      : null
  } catch {
    return null
  }
}

export function runInfo(run: RunRow): RunInfo {
  let skipped: RunInfo['skippedBackends']
  try {
    skipped = run.backendNotes ? (JSON.parse(run.backendNotes) as RunInfo['skippedBackends']) : []
  } catch {
    // Notes are informative only: a damaged entry must not hide the run.
    skipped = []
  }
  return {
    id: run.id,
    createdAt: run.createdAt,
    preset: run.preset,
    seed: run.seed,
    status: run.status,
    stepsDone: run.stepsDone,
    targetSteps: run.targetSteps,
    backend: run.backend,
    skippedBackends: skipped,
    adapter: adapterOf(run),
    valLoss: run.valLoss,
    testPsnr: run.testPsnr,
    imagesPerSecond: run.imagesPerSecond,
    error: run.error,
    quality: runQuality(run),
  }
}

/** The run's stored quality figures; a damaged entry reads as none rather than hiding the run. */
export function runQuality(run: RunRow): RunQualityInfo | null {
  if (!run.quality) return null
  try {
    const parsed = runQualitySchema.safeParse(JSON.parse(run.quality))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}

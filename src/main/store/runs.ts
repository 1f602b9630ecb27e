import { basename, dirname, isAbsolute, join } from 'node:path'
import type { Db } from './database'
import { processAlive } from '../app/processAlive'

export type RunStatus = 'created' | 'running' | 'paused' | 'stopped' | 'finished' | 'failed'

export interface RunRow {
  id: number
  createdAt: string
  updatedAt: string
  preset: string
  config: string
  seed: number
  targetSteps: number
  stepsDone: number
  status: RunStatus
  backend: string | null
  backendNotes: string | null
  /** JSON of the GPU adapter (webgpu runs), else null. */
  backendAdapter: string | null
  datasetSnapshot: string
  dir: string
  valLoss: number | null
  testMse: number | null
  testPsnr: number | null
  imagesPerSecond: number | null
  secondsTraining: number
  error: string | null
  /** JSON of the engine's RunQuality, once the run has finished on a test split. */
  quality: string | null
}

export interface StepMetric {
  step: number
  epoch: number
  total: number
  recon: number
  kl: number
  imagesPerSecond: number | null
}

const RUN_COLUMNS = `id, created_at AS createdAt, updated_at AS updatedAt, preset, config, seed,
  target_steps AS targetSteps, steps_done AS stepsDone, status, backend, backend_notes AS backendNotes,
  backend_adapter AS backendAdapter,
  dataset_snapshot AS datasetSnapshot, dir, val_loss AS valLoss, test_mse AS testMse,
  test_psnr AS testPsnr, images_per_second AS imagesPerSecond, seconds_training AS secondsTraining, error, quality`

export function createRun(
  db: Db,
  run: {
    preset: string
    config: unknown
    seed: number
    targetSteps: number
    datasetSnapshot: unknown
  },
  runDirFor: (id: number) => string,
): RunRow {
  const now = new Date().toISOString()
  const id = db.transaction(() => {
    const result = db
      .prepare(
        `INSERT INTO runs (created_at, updated_at, preset, config, seed, target_steps, status, dataset_snapshot, dir)
         VALUES (?, ?, ?, ?, ?, ?, 'created', ?, '')`,
      )
      .run(
        now,
        now,
        run.preset,
        JSON.stringify(run.config),
        run.seed,
        run.targetSteps,
        JSON.stringify(run.datasetSnapshot),
      )
    const newId = Number(result.lastInsertRowid)
    db.prepare('UPDATE runs SET dir = ? WHERE id = ?').run(runDirFor(newId), newId)
    return newId
  })()
  return getRun(db, id) as RunRow
}

/**
 * A run's folder lives in its project's `runs/`, wherever the project is now: a project folder that
 * was moved or copied must use its own checkpoints, never those at the path it had when the run began.
 */
function located(db: Db, row: RunRow | undefined): RunRow | undefined {
  if (!row || !isAbsolute(db.name)) return row
  return { ...row, dir: join(dirname(db.name), 'runs', basename(row.dir)) }
}

export function getRun(db: Db, id: number): RunRow | undefined {
  return located(db, db.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`).get(id) as RunRow)
}

export function listRuns(db: Db): RunRow[] {
  const rows = db.prepare(`SELECT ${RUN_COLUMNS} FROM runs ORDER BY id DESC`).all() as RunRow[]
  return rows.map((row) => located(db, row) as RunRow)
}

/** The newest run that did not reach its target: what `--resume` continues. */
export function latestUnfinishedRun(db: Db): RunRow | undefined {
  const row = db
    .prepare(
      `SELECT ${RUN_COLUMNS} FROM runs WHERE status NOT IN ('finished') ORDER BY id DESC LIMIT 1`,
    )
    .get() as RunRow | undefined
  return located(db, row)
}

/** The newest run with a checkpoint to encode, sample or decode with. */
export function latestTrainedRun(db: Db): RunRow | undefined {
  const row = db
    .prepare(
      `SELECT ${RUN_COLUMNS} FROM runs WHERE steps_done > 0 ORDER BY (status = 'finished') DESC, id DESC LIMIT 1`,
    )
    .get() as RunRow | undefined
  return located(db, row)
}

/** The run asked for, or the latest trained one; an error naming the database when there is none. */
export function resolveRun(db: Db, paths: { database: string }, runId?: number): RunRow {
  const run = runId === undefined ? latestTrainedRun(db) : getRun(db, runId)
  if (!run) {
    throw new Error(
      runId === undefined
        ? `${paths.database}: no trained run yet; train one first`
        : `${paths.database}: there is no run ${runId}`,
    )
  }
  return run
}

export { processAlive }

/**
 * Runs marked running or paused whose owning process is gone (killed, crashed, machine restarted)
 * become 'stopped': they resume from their last checkpoint like any stopped run. Returns their ids.
 */
export function releaseOrphanedRuns(
  db: Db,
  alive: (pid: number) => boolean = processAlive,
): number[] {
  const rows = db
    .prepare(`SELECT id, owner_pid AS ownerPid FROM runs WHERE status IN ('running', 'paused')`)
    .all() as { id: number; ownerPid: number | null }[]
  const orphans = rows
    .filter((r) => r.ownerPid !== process.pid && (r.ownerPid === null || !alive(r.ownerPid)))
    .map((r) => r.id)
  const release = db.prepare(
    `UPDATE runs SET status = 'stopped', owner_pid = NULL, updated_at = ? WHERE id = ?`,
  )
  db.transaction(() => {
    for (const id of orphans) release.run(new Date().toISOString(), id)
  })()
  return orphans
}

export function updateRun(
  db: Db,
  id: number,
  fields: Partial<{
    status: RunStatus
    backend: string
    backendNotes: string
    backendAdapter: string | null
    stepsDone: number
    valLoss: number | null
    testMse: number | null
    testPsnr: number | null
    imagesPerSecond: number
    secondsTraining: number
    error: string | null
    ownerPid: number | null
    quality: string | null
  }>,
): void {
  const columns: Record<string, string> = {
    status: 'status',
    backend: 'backend',
    backendNotes: 'backend_notes',
    backendAdapter: 'backend_adapter',
    stepsDone: 'steps_done',
    valLoss: 'val_loss',
    testMse: 'test_mse',
    testPsnr: 'test_psnr',
    imagesPerSecond: 'images_per_second',
    secondsTraining: 'seconds_training',
    error: 'error',
    ownerPid: 'owner_pid',
    quality: 'quality',
  }
  const entries = Object.entries(fields).filter(([key]) => key in columns)
  if (entries.length === 0) return
  const sets = entries.map(([key]) => `${columns[key]} = @${key}`).join(', ')
  db.prepare(`UPDATE runs SET ${sets}, updated_at = @updatedAt WHERE id = @id`).run({
    ...Object.fromEntries(entries),
    updatedAt: new Date().toISOString(),
    id,
  })
}

export function insertStepMetrics(db: Db, runId: number, metrics: readonly StepMetric[]): void {
  const insert = db.prepare(
    `INSERT OR REPLACE INTO run_metrics (run_id, step, epoch, total, recon, kl, images_per_second)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  )
  db.transaction(() => {
    for (const m of metrics)
      insert.run(runId, m.step, m.epoch, m.total, m.recon, m.kl, m.imagesPerSecond)
  })()
}

/**
 * A resumed run restarts from its checkpoint: metrics recorded after that step belong to work that was
 * lost, and the resumed steps will write them again.
 */
export function truncateMetricsAfter(db: Db, runId: number, step: number): void {
  db.prepare('DELETE FROM run_metrics WHERE run_id = ? AND step > ?').run(runId, step)
}

export function stepMetrics(db: Db, runId: number, sinceStep = 0): StepMetric[] {
  return db
    .prepare(
      `SELECT step, epoch, total, recon, kl, images_per_second AS imagesPerSecond
       FROM run_metrics WHERE run_id = ? AND step > ? ORDER BY step`,
    )
    .all(runId, sinceStep) as StepMetric[]
}

export function recordEpoch(db: Db, runId: number, epoch: number, valLoss: number | null): void {
  db.prepare('INSERT OR REPLACE INTO run_epochs (run_id, epoch, val_loss) VALUES (?, ?, ?)').run(
    runId,
    epoch,
    valLoss,
  )
}

export function epochMetrics(db: Db, runId: number): { epoch: number; valLoss: number | null }[] {
  return db
    .prepare('SELECT epoch, val_loss AS valLoss FROM run_epochs WHERE run_id = ? ORDER BY epoch')
    .all(runId) as { epoch: number; valLoss: number | null }[]
}

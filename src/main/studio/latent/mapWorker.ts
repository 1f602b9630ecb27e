/**
 * Worker thread for one 2-D map (started by mapWorkerHost): opens the project database read-only,
 * reads the run's latents and their fingerprint in one read transaction, projects them, and posts
 * progress and then the coordinates (transferred, not copied). Errors are posted as their message,
 * which names the file or value at fault, so the job reports them as they are.
 */
import Database from 'better-sqlite3'
import { parentPort, workerData } from 'node:worker_threads'
import type { ProgressUpdate } from '../../../shared/progress'
import { projectLatents, readMapInputs } from './maps'
import type { MapWorkerJob, MapWorkerMessage } from './mapWorkerHost'

const PROGRESS_INTERVAL_MS = 50

const post = (message: MapWorkerMessage, transfer: ArrayBuffer[] = []): void =>
  parentPort?.postMessage(message, transfer)

// The job manager throttles what it forwards; this keeps the messages themselves few.
let lastSent = 0
let lastPhase = ''
const onProgress = (update: ProgressUpdate): void => {
  const now = performance.now()
  if (
    update.phase === lastPhase &&
    update.done < update.total &&
    now - lastSent < PROGRESS_INTERVAL_MS
  )
    return
  lastSent = now
  lastPhase = update.phase
  post({ progress: update })
}

async function run(job: MapWorkerJob): Promise<void> {
  onProgress({ phase: 'loading', done: 0, total: 1 })
  const db = new Database(job.dbFile, { readonly: true, fileMustExist: true })
  let inputs: ReturnType<typeof readMapInputs>
  try {
    db.pragma('busy_timeout = 5000')
    inputs = readMapInputs(db, job.projectRoot, job.runId, job.limit)
  } finally {
    db.close()
  }
  const { table, fingerprint } = inputs
  onProgress({ phase: 'loading', done: 1, total: 1 })
  const coords = await projectLatents(job.method, table.mu, table.n, table.dim, { onProgress })
  const { imageIds } = table
  post({ result: { points: table.n, coords, imageIds, fingerprint } }, [
    coords.buffer as ArrayBuffer,
    imageIds.buffer as ArrayBuffer,
  ])
}

run((workerData as { job: MapWorkerJob }).job).catch((error: unknown) =>
  post({ error: error instanceof Error ? error.message : String(error) }),
)

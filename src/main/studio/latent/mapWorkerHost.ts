/**
 * Runs a 2-D map on a worker thread, so the host's event loop (serve mode's HTTP and WebSocket,
 * Electron's main process) stays responsive while t-SNE's affinities and the placement of 200k points
 * run for seconds. The worker opens the project database read-only itself, so the latents never
 * cross the thread boundary; only the coordinates come back, transferred rather than copied.
 * Cancelling terminates the worker, which stops it even inside a long synchronous loop.
 */
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { MapMethod } from '../../../shared/contractLatent'
import { CancelledError, type ProgressUpdate, type TaskControl } from '../../../shared/progress'

export interface MapWorkerJob {
  /** The project database file; the worker opens it read-only. */
  dbFile: string
  projectRoot: string
  runId: number
  method: MapMethod
  limit?: number
}

export interface MapWorkerResult {
  points: number
  coords: Float32Array
  imageIds: Int32Array
  /** The fingerprint of the latents the map was computed from, read with them. */
  fingerprint: string
}

export type MapWorkerMessage =
  { progress: ProgressUpdate } | { result: MapWorkerResult } | { error: string }

// The worker starts from a CommonJS snippet so that, running from TypeScript source (CLI through
// tsx, tests), it can register tsx before importing the worker module (as the preprocess pool does).
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads')
;(async () => {
  if (workerData.tsxApi) (await import(workerData.tsxApi)).register()
  await import(workerData.moduleUrl)
})().catch((error) => { throw error })
`

/** The worker module beside this one: the .ts source under tsx, out/main/mapWorker.js when built. */
function workerModule(): { moduleUrl: string; tsxApi: string | null } {
  const self = import.meta.url
  const fromSource = self.endsWith('.ts')
  const moduleUrl = new URL(`./mapWorker${fromSource ? '.ts' : '.js'}`, self).href
  const tsxApi = fromSource ? pathToFileURL(createRequire(self).resolve('tsx/esm/api')).href : null
  return { moduleUrl, tsxApi }
}

/** Computes the map of `job` on a new worker thread; rejects with CancelledError when aborted. */
export function runMapWorker(
  job: MapWorkerJob,
  control: TaskControl = {},
): Promise<MapWorkerResult> {
  const { signal, onProgress } = control
  if (signal?.aborted) return Promise.reject(new CancelledError())
  const worker = new Worker(BOOTSTRAP, { eval: true, workerData: { job, ...workerModule() } })
  return new Promise<MapWorkerResult>((resolve, reject) => {
    let settled = false
    const settle = (fn: () => void): void => {
      if (settled) return
      settled = true
      signal?.removeEventListener('abort', onAbort)
      fn()
      // The worker has posted its last message or must stop now; either way it is done.
      void worker.terminate()
    }
    const onAbort = (): void => settle(() => reject(new CancelledError()))
    signal?.addEventListener('abort', onAbort, { once: true })
    worker.on('message', (message: MapWorkerMessage) => {
      if ('progress' in message) {
        if (!settled) onProgress?.(message.progress)
      } else if ('result' in message) settle(() => resolve(message.result))
      else settle(() => reject(new Error(message.error)))
    })
    worker.on('error', (error: Error) =>
      settle(() => reject(new Error(`the ${job.method} map worker failed: ${error.message}`))),
    )
    worker.on('messageerror', (error: Error) =>
      settle(() => reject(new Error(`the ${job.method} map worker sent a bad message: ${error}`))),
    )
    worker.on('exit', (code) =>
      settle(() =>
        reject(
          new Error(`the ${job.method} map worker stopped before it finished (exit code ${code})`),
        ),
      ),
    )
  })
}

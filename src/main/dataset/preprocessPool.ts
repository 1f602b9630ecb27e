/**
 * Runs preprocessing on worker threads, one per core: sharp's per-call setup and the JS resize both
 * cost main-thread time, which capped a single thread at a few hundred images per second. Falls back
 * to this thread when workers cannot start (a bundled build without the worker module) or when the
 * job is too small to pay for starting them.
 */
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { CropSpec } from './crop'
import type { CacheWriter } from './imageCache'
import { processJobs, type JobOutcome, type PreprocessJob } from './preprocess'

export interface Preprocessor {
  /** Preprocesses a batch; resolves once every good slot is written (not yet synced). */
  run(jobs: PreprocessJob[]): Promise<JobOutcome[]>
  /** batches worth keeping in flight */
  parallelism: number
  /** images per batch */
  batchSize: number
  close(): Promise<void>
}

export interface PreprocessorSetup {
  cacheFile: string
  size: number
  crop: CropSpec
  /** worker threads; 0 runs in this thread */
  threads: number
  writer: CacheWriter
}

export async function startPreprocessor(setup: PreprocessorSetup): Promise<Preprocessor> {
  if (setup.threads > 0) {
    const workers = await startWorkers(setup)
    if (workers) return workerPreprocessor(workers)
  }
  // In this thread small batches keep cancellation prompt; two of them keep four decodes in flight.
  return {
    parallelism: 2,
    batchSize: 4,
    run: (jobs) =>
      processJobs(jobs, setup.size, setup.crop, (id, pixels) => setup.writer.write(id, pixels), 2),
    close: async () => undefined,
  }
}

// Workers start from a CommonJS snippet so that, running from TypeScript source (CLI through tsx,
// tests), they can register tsx before importing the worker module. sharp is plain JS: imported
// before tsx registers, its modules skip tsx's loader hooks, which saves CPU time in every worker;
// the worker module's own import of it then finds the same URL already loaded.
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads')
;(async () => {
  if (workerData.preload) await import(workerData.preload).catch(() => undefined)
  if (workerData.tsxApi) (await import(workerData.tsxApi)).register()
  await import(workerData.moduleUrl)
})().catch((error) => { throw error })
`

async function startWorkers(setup: PreprocessorSetup): Promise<Worker[] | null> {
  const self = import.meta.url
  const fromSource = self.endsWith('.ts')
  const moduleUrl = new URL(`./preprocessWorker${fromSource ? '.ts' : '.js'}`, self).href
  let tsxApi: string | null = null
  try {
    if (fromSource) tsxApi = pathToFileURL(createRequire(self).resolve('tsx/esm/api')).href
  } catch {
    return null
  }
  const workerSetup = { cacheFile: setup.cacheFile, size: setup.size, crop: setup.crop }
  const preload = tsxApi ? sharpModuleUrl() : null
  const workerData = { setup: workerSetup, moduleUrl, tsxApi, preload }
  const workers = Array.from(
    { length: setup.threads },
    () => new Worker(BOOTSTRAP, { eval: true, workerData }),
  )
  const ready = workers.map(
    (worker) =>
      new Promise<boolean>((resolve) => {
        worker.once('message', (m: { ready?: boolean }) => resolve(m.ready === true))
        worker.once('error', () => resolve(false))
        worker.once('exit', () => resolve(false))
      }),
  )
  if ((await Promise.all(ready)).every(Boolean)) return workers
  await Promise.all(workers.map((w) => w.terminate()))
  return null
}

/** The URL the worker module's `import 'sharp'` resolves to, or null when it cannot be known. */
function sharpModuleUrl(): string | null {
  try {
    return import.meta.resolve('sharp')
  } catch {
    return null
  }
}

type Reply = { seq: number; outcomes: JobOutcome[] } | { seq: number; error: string }

function workerPreprocessor(workers: Worker[]): Preprocessor {
  let seq = 0
  const pending = new Map<
    number,
    { resolve: (o: JobOutcome[]) => void; reject: (e: Error) => void; worker: Worker }
  >()
  const load = new Map<Worker, number>(workers.map((w) => [w, 0]))
  const failAll = (worker: Worker, error: Error): void => {
    for (const [key, job] of pending) {
      if (job.worker !== worker) continue
      pending.delete(key)
      job.reject(error)
    }
  }
  for (const worker of workers) {
    worker.on('message', (reply: Reply) => {
      const job = pending.get(reply.seq)
      if (!job) return
      pending.delete(reply.seq)
      load.set(worker, (load.get(worker) ?? 1) - 1)
      if ('error' in reply) job.reject(new Error(reply.error))
      else job.resolve(reply.outcomes)
    })
    worker.on('error', (error) => failAll(worker, error))
    worker.on('exit', (code) =>
      failAll(worker, new Error(`an image-preprocessing worker stopped (exit code ${code})`)),
    )
  }
  return {
    // Two batches per worker: one decoding while the other's reply travels back.
    parallelism: workers.length * 2,
    batchSize: 32,
    run(jobs) {
      const worker = workers.reduce((best, w) =>
        (load.get(w) ?? 0) < (load.get(best) ?? 0) ? w : best,
      )
      load.set(worker, (load.get(worker) ?? 0) + 1)
      const key = seq++
      return new Promise((resolve, reject) => {
        pending.set(key, { resolve, reject, worker })
        worker.postMessage({ seq: key, jobs })
      })
    },
    async close() {
      for (const worker of workers) worker.removeAllListeners('exit')
      await Promise.all(workers.map((w) => w.terminate()))
    },
  }
}

import { mkdirSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { CancelledError, throwIfCancelled, type TaskControl } from '../../../shared/progress'
import type { AttributeModel } from './attributeModel'
import {
  formatAttributeHeader,
  formatAttributeRow,
  celebaFileName,
  partitionOf,
} from './celebaFormat'
import { planFace } from './face'
import { attributeModelPath, loadAttributeModel } from './modelResource'
import { writeFaceImages, type WorkerSetup } from './writeFaces'

export interface SyntheticDatasetOptions extends TaskControl {
  count: number
  seed?: number
  /** Worker threads; 0 draws in this thread. Default: one per core. */
  workers?: number
}

export const DEFAULT_SYNTH_SEED = 1
const BATCH = 24
/** Below this many faces starting threads costs more than it saves. */
const MIN_FACES_FOR_WORKERS = 200

/**
 * Writes a synthetic dataset in CelebA's original layout under outDir: img_align_celeba/*.jpg,
 * list_attr_celeba.txt and list_eval_partition.txt. Face i depends only on (seed, i), so the
 * same seed gives the same bytes whatever the number of threads. The label files are written
 * last, so a folder with them is complete.
 */
export async function generateSyntheticDataset(
  outDir: string,
  options: SyntheticDatasetOptions,
): Promise<{ count: number }> {
  const { count, signal, onProgress } = options
  const seed = options.seed ?? DEFAULT_SYNTH_SEED
  if (!Number.isInteger(count) || count <= 0) {
    throw new Error(`count must be a positive whole number, got ${count}`)
  }
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new Error(`seed must be a whole number from 0 to 4294967295, got ${seed}`)
  }
  throwIfCancelled(signal)
  const imageDir = join(outDir, 'img_align_celeba')
  try {
    mkdirSync(imageDir, { recursive: true })
  } catch (error) {
    throw new Error(`${outDir}: cannot create the output folder (${(error as Error).message})`, {
      cause: error,
    })
  }
  const model = loadAttributeModel()
  const setup: WorkerSetup = { seed, imageDir, modelPath: attributeModelPath }
  const batches: number[][] = []
  for (let start = 0; start < count; start += BATCH) {
    batches.push(Array.from({ length: Math.min(BATCH, count - start) }, (_, k) => start + k))
  }
  let done = 0
  const report = (n: number): void => {
    done += n
    onProgress?.({ phase: 'synth', done, total: count })
  }
  onProgress?.({ phase: 'synth', done: 0, total: count })

  const workers = count < MIN_FACES_FOR_WORKERS ? 0 : (options.workers ?? availableParallelism())
  const pool = workers > 0 ? await startWorkers(Math.min(workers, batches.length), setup) : null
  if (pool) await runOnWorkers(pool, batches, signal, report)
  else {
    for (const batch of batches) {
      throwIfCancelled(signal)
      await writeFaceImages(model, setup, batch)
      report(batch.length)
    }
  }
  writeLabelFiles(outDir, model, seed, count)
  return { count }
}

function writeLabelFiles(outDir: string, model: AttributeModel, seed: number, count: number): void {
  const attr: string[] = [formatAttributeHeader(count)]
  const split: string[] = []
  for (let i = 0; i < count; i++) {
    const file = celebaFileName(i)
    attr.push(`${formatAttributeRow(file, planFace(model, seed, i).labels)}\n`)
    split.push(`${file} ${partitionOf(i, count)}\n`)
  }
  writeFileSync(join(outDir, 'list_attr_celeba.txt'), attr.join(''))
  writeFileSync(join(outDir, 'list_eval_partition.txt'), split.join(''))
}

// Workers are started from a small CommonJS snippet so that, when this module runs from its
// TypeScript source (CLI through tsx, tests), the worker can register tsx before importing.
const BOOTSTRAP = `
const { workerData } = require('node:worker_threads')
;(async () => {
  if (workerData.tsxApi) (await import(workerData.tsxApi)).register()
  await import(workerData.moduleUrl)
})().catch((error) => { throw error })
`

type Message = { ready: true } | { done: number[] } | { error: string }

/** Starts the workers and waits until each has loaded; null when they cannot start here. */
async function startWorkers(n: number, setup: WorkerSetup): Promise<Worker[] | null> {
  const self = import.meta.url
  const fromSource = self.endsWith('.ts')
  const moduleUrl = new URL(`./synthWorker${fromSource ? '.ts' : '.js'}`, self).href
  let tsxApi: string | null = null
  try {
    if (fromSource) tsxApi = pathToFileURL(createRequire(self).resolve('tsx/esm/api')).href
  } catch {
    return null
  }
  const workers = Array.from(
    { length: n },
    () => new Worker(BOOTSTRAP, { eval: true, workerData: { setup, moduleUrl, tsxApi } }),
  )
  const ready = workers.map(
    (worker) =>
      new Promise<boolean>((resolve) => {
        worker.once('message', (m: Message) => resolve('ready' in m))
        worker.once('error', () => resolve(false))
        worker.once('exit', () => resolve(false))
      }),
  )
  if ((await Promise.all(ready)).every(Boolean)) return workers
  // A bundled build without the worker module draws in this thread instead.
  await Promise.all(workers.map((w) => w.terminate()))
  return null
}

async function runOnWorkers(
  workers: Worker[],
  batches: number[][],
  signal: AbortSignal | undefined,
  report: (n: number) => void,
): Promise<void> {
  let next = 0
  try {
    await new Promise<void>((resolve, reject) => {
      let remaining = batches.length
      const onAbort = (): void => reject(new CancelledError())
      signal?.addEventListener('abort', onAbort, { once: true })
      const feed = (worker: Worker): void => {
        if (next < batches.length) worker.postMessage(batches[next++])
      }
      for (const worker of workers) {
        worker.on('message', (m: Message) => {
          if ('error' in m) reject(new Error(m.error))
          else if ('done' in m) {
            report(m.done.length)
            remaining--
            if (remaining === 0) {
              signal?.removeEventListener('abort', onAbort)
              resolve()
            } else if (!signal?.aborted) feed(worker)
          }
        })
        worker.on('error', (error) => reject(error))
        worker.on('exit', (code) => {
          if (remaining > 0) reject(new Error(`a face-drawing worker stopped (exit code ${code})`))
        })
        // Two batches in flight keep each worker busy while the main thread reports progress.
        feed(worker)
        feed(worker)
      }
      if (signal?.aborted) onAbort()
    })
  } finally {
    await Promise.all(workers.map((w) => w.terminate()))
  }
}

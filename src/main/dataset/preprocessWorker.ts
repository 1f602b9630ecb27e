/**
 * Worker thread for the preprocess pool: decodes and resizes the images it is sent, writes their
 * slots into the packed cache file itself, and answers with the outcomes. The main thread commits
 * slot rows only after it has synced the file.
 */
import { open } from 'node:fs/promises'
import { parentPort, workerData } from 'node:worker_threads'
import type { CropSpec } from './crop'
import { processJobs, type PreprocessJob } from './preprocess'

interface Setup {
  cacheFile: string
  size: number
  crop: CropSpec
}

const setup = (workerData as { setup: Setup }).setup
const slotBytes = setup.size * setup.size * 3
const handle = await open(setup.cacheFile, 'r+')

parentPort?.on('message', (message: { seq: number; jobs: PreprocessJob[] }) => {
  processJobs(message.jobs, setup.size, setup.crop, async (id, pixels) => {
    await handle.write(pixels, 0, pixels.length, (id - 1) * slotBytes)
  }).then(
    (outcomes) => parentPort?.postMessage({ seq: message.seq, outcomes }),
    (error: unknown) =>
      parentPort?.postMessage({
        seq: message.seq,
        error: (error as Error).message ?? String(error),
      }),
  )
})
parentPort?.postMessage({ ready: true })

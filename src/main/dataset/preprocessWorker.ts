/**
 * Worker thread for the preprocess pool: decodes and resizes the images it is sent, writes their
 * slots into the packed cache file itself, and answers with the outcomes. The main thread commits
 * slot rows only after it has synced the file.
 */
import { openSync, readFileSync, writeSync } from 'node:fs'
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
const fd = openSync(setup.cacheFile, 'r+')
// This thread does nothing else, so blocking reads and writes cost no latency, and they skip the
// several thread-pool round trips that fs/promises spends on each small file.
const readBytes = (file: string): Promise<Buffer> => Promise.resolve(readFileSync(file))

parentPort?.on('message', (message: { seq: number; jobs: PreprocessJob[] }) => {
  processJobs(
    message.jobs,
    setup.size,
    setup.crop,
    async (id, pixels) => {
      writeSync(fd, pixels, 0, pixels.length, (id - 1) * slotBytes)
    },
    2,
    readBytes,
  ).then(
    (outcomes) => parentPort?.postMessage({ seq: message.seq, outcomes }),
    (error: unknown) =>
      parentPort?.postMessage({
        seq: message.seq,
        error: (error as Error).message ?? String(error),
      }),
  )
})
parentPort?.postMessage({ ready: true })

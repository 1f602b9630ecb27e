/**
 * Worker thread for generateSyntheticDataset: draws and writes the faces whose indices it is sent,
 * and answers with the indices it finished. Labels are not sent back: the main thread plans the
 * same faces from the same seeds.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { loadAttributeModel } from './modelResource'
import { writeFaceImages, type WorkerSetup } from './writeFaces'

const setup = (workerData as { setup: WorkerSetup }).setup
const model = loadAttributeModel(setup.modelPath)

parentPort?.postMessage({ ready: true })
parentPort?.on('message', (indices: number[]) => {
  writeFaceImages(model, setup, indices).then(
    () => parentPort?.postMessage({ done: indices }),
    (error: unknown) =>
      parentPort?.postMessage({ error: (error as Error).message ?? String(error) }),
  )
})

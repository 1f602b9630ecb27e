import { join } from 'node:path'
import { utilityProcess } from 'electron'
import type { HostMessage, TrainingProcess, WorkerMessage } from '../../engine'
import type { InferenceChannel } from '../../engine/process/inferenceClient'
import type { InferenceReply } from '../../engine/process/inferenceProtocol'

/** In the app the engine runs in an Electron utilityProcess, built beside the main bundle. */
export function utilityProcessLauncher(mainBundleDir: string): () => TrainingProcess {
  return () => {
    const child = utilityProcess.fork(join(mainBundleDir, 'trainWorker.js'), [], {
      serviceName: 'VAE Face Studio engine',
      stdio: 'inherit',
    })
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code) => resolve(code)),
    )
    return {
      kill: () => void child.kill(),
      send: (message: HostMessage) => child.postMessage(message),
      onMessage: (listener: (message: WorkerMessage) => void) =>
        child.on('message', (message: unknown) => listener(message as WorkerMessage)),
      exited,
    }
  }
}

/** The inference process as a utilityProcess too: tfjs never runs in the app's main process. */
export function utilityInferenceLauncher(mainBundleDir: string): () => InferenceChannel {
  return () => {
    const child = utilityProcess.fork(join(mainBundleDir, 'inferenceWorker.js'), [], {
      serviceName: 'VAE Face Studio inference',
      stdio: 'inherit',
    })
    return {
      send: (request) => child.postMessage(request),
      onReply: (listener) =>
        child.on('message', (reply: unknown) => listener(reply as InferenceReply)),
      onExit: (listener) => child.once('exit', (code) => listener(code)),
      kill: () => void child.kill(),
    }
  }
}

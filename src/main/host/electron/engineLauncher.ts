import { join } from 'node:path'
import { utilityProcess } from 'electron'
import type { HostMessage, TrainingProcess, WorkerMessage } from '../../engine'

/** In the app the engine runs in an Electron utilityProcess, built beside the main bundle. */
export function utilityProcessLauncher(mainBundleDir: string): () => TrainingProcess {
  return () => {
    const child = utilityProcess.fork(join(mainBundleDir, 'engine.js'), [], {
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

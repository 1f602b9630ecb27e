import type { HostMessage, WorkerMessage } from './protocol'

/** Electron's utilityProcess gives its child a parentPort instead of process.send. */
interface ParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void
  postMessage(message: unknown): void
}

export interface ParentChannel {
  send(message: WorkerMessage): Promise<void>
  onMessage(listener: (message: HostMessage) => void): void
}

/** The worker's line to its host, whichever way it was started: child_process.fork or utilityProcess. */
export function parentChannel(): ParentChannel {
  const port = (process as unknown as { parentPort?: ParentPort }).parentPort
  if (port) {
    return {
      send: async (message) => port.postMessage(message),
      onMessage: (listener) => port.on('message', (event) => listener(event.data as HostMessage)),
    }
  }
  return {
    send: (message) =>
      new Promise<void>((resolve) => {
        if (!process.send || !process.connected) return resolve()
        process.send(message, undefined, undefined, () => resolve())
      }),
    onMessage: (listener) => process.on('message', (message) => listener(message as HostMessage)),
  }
}

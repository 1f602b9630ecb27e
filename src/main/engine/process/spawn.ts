import { fork } from 'node:child_process'
import { forkExecArgv, siblingModulePath } from '../../app/moduleEntry'
import type { HostMessage, WorkerMessage } from './protocol'

/** Path of the worker entry (TypeScript, run through tsx). */
export const TRAIN_WORKER_ENTRY = siblingModulePath(import.meta.url, 'trainWorker')

export interface TrainingProcess {
  /** Ends the process at once (no checkpoint): for tests and for a host that is going away. */
  kill(signal?: NodeJS.Signals): void
  send(message: HostMessage): void
  onMessage(listener: (message: WorkerMessage) => void): void
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>
}

/** Forks the training worker under tsx; `env` adds to this process's environment. */
export function forkTrainingProcess(options: { env?: NodeJS.ProcessEnv } = {}): TrainingProcess {
  const child = fork(TRAIN_WORKER_ENTRY, [], {
    env: { ...process.env, ...options.env },
    execArgv: forkExecArgv(TRAIN_WORKER_ENTRY),
    // Structured clone, so previews travel as typed arrays rather than JSON objects.
    serialization: 'advanced',
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return {
    kill: (signal) => void child.kill(signal),
    send: (m) => void child.send(m),
    onMessage: (listener) => child.on('message', (m) => listener(m as WorkerMessage)),
    exited,
  }
}

import type { BackendChoice, BackendName, GpuAdapter, SkippedBackend } from '../backend/picker'
import type { DataSplit } from '../data/trainingData'
import type { TrainConfig } from '../model/config'
import type { TrainEvent } from '../train/loop'

/** Messages between the host and the training child process (over process.send / 'message'). */

export interface StartMessage {
  type: 'start'
  config: TrainConfig
  /** The run's folder: the checkpoint lives here. */
  projectRunDir: string
  epochs: number
  /** Total steps to reach; wins over `epochs` when set. */
  steps?: number
  previewEverySteps?: number
  /** Continue from the run folder's checkpoint if there is one (its config wins). */
  resume?: boolean
  backend?: BackendChoice
  /** The dataset room's packed cache: slot i at byte offset i·size·size·3, and slots per split. */
  data: { file: string; size: number; splits: Record<DataSplit, number[]> }
  checkpointEverySteps?: number
  maxEvalImages?: number
}

export type HostMessage = StartMessage | { type: 'pause' } | { type: 'resume' } | { type: 'stop' }

export type WorkerMessage =
  | {
      type: 'ready'
      backend: BackendName
      skipped: SkippedBackend[]
      /** The GPU adapter, on webgpu. */
      adapter?: GpuAdapter
      /** Step the run starts from (0, or the checkpoint's step when resuming). */
      startStep: number
      /** Data-parallel replicas training (1 = this process's thread alone). */
      replicas: number
    }
  | { type: 'paused'; step: number }
  | { type: 'resumed'; step: number }
  | TrainEvent
  | { type: 'error'; message: string }
  /** Another process owns the run: nothing was touched, the run is not this process's to mark. */
  | { type: 'busy'; message: string }

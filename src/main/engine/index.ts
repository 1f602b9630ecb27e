/** The training engine's public surface. */
export { pickBackend } from './backend/picker'
export type {
  BackendChoice,
  BackendName,
  BackendPick,
  GpuAdapter,
  SkippedBackend,
} from './backend/picker'
export { InMemoryData, PackedFileData, syntheticData, syntheticShapes } from './data/trainingData'
export type { DataSplit, TrainingData } from './data/trainingData'
export {
  MAX_REPLICAS,
  PRESETS,
  TRAIN_DEFAULTS,
  trainConfig,
  validateTrainConfig,
} from './model/config'
export type { ModelConfig, PresetName, TrainConfig } from './model/config'
export { evaluateSplit } from './train/evaluate'
export type { EvalResult } from './train/evaluate'
export { CHECKPOINT_FILE, runTraining } from './train/loop'
export type { RunOptions, RunResult, TrainEvent } from './train/loop'
export { VaeModel } from './model/vaeModel'
export type { Encoded } from './model/vaeModel'
export { loadCheckpointModel } from './train/checkpointModel'
export type { CheckpointModel } from './train/checkpointModel'
export { Trainer } from './train/trainer'
export type { StepLoss, StepTrainer, TrainerState } from './train/trainer'
export { ParallelTrainer, replicaCount } from './parallel/parallelTrainer'
export { ParallelEncoder } from './parallel/parallelEncoder'
export type { ParallelOptions } from './parallel/parallelTrainer'
export type { ReplicaProbe } from './parallel/protocol'
export { forkTrainingProcess, TRAIN_WORKER_ENTRY } from './process/spawn'
export type { TrainingProcess } from './process/spawn'
export type { HostMessage, StartMessage, WorkerMessage } from './process/protocol'
export { acquireRunLock, assertRunFree, RunBusyError } from './train/runLock'

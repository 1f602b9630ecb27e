import { join } from 'node:path'
import {
  assertRunFree,
  forkTrainingProcess,
  RunBusyError,
  trainConfig,
  type BackendChoice,
  type PresetName,
  type TrainConfig,
  type TrainEvent,
  type TrainingProcess,
  type WorkerMessage,
} from '../../engine'

import { findCache, validSlots } from '../../dataset/imageCache'
import type { Db } from '../../store/database'
import type { ProjectPaths } from '../../store/projectFolder'
import {
  createRun,
  getRun,
  insertStepMetrics,
  recordEpoch,
  stepMetrics,
  truncateMetricsAfter,
  updateRun,
  type RunRow,
  type StepMetric,
} from '../../store/runs'
import { trainingSplits } from './trainingSplits'

export interface NewRunRequest {
  preset: PresetName
  /** Exactly one of steps and epochs. */
  steps?: number
  epochs?: number
  seed: number
  backend: BackendChoice
  overrides?: Partial<Omit<TrainConfig, 'model' | 'seed'>>
  checkpointEverySteps?: number
  previewEverySteps?: number
}

export interface TrainingListener {
  ready?(info: {
    run: RunRow
    backend: string
    skipped: { name: string; reason: string }[]
    startStep: number
  }): void
  step?(event: Extract<TrainEvent, { type: 'step' }>, targetSteps: number): void
  epoch?(event: Extract<TrainEvent, { type: 'epoch' }>): void
  preview?(event: Extract<TrainEvent, { type: 'preview' }>): void
  status?(status: RunRow['status'], step: number): void
}

export interface TrainingOutcome {
  run: RunRow
  stopped: boolean
  resumedFromStep: number
  initialLoss: number | null
  finalLoss: number | null
}

interface Launch {
  db: Db
  paths: ProjectPaths
  listener?: TrainingListener
  launch?: () => TrainingProcess
}

const FLUSH_EVERY_STEPS = 25
const LOSS_WINDOW = 20

/**
 * One training run driven from the host: the run's row in SQLite, the engine in its own process, and
 * every event recorded (metrics, epochs, checkpoints) as it arrives.
 */
export class TrainingSession {
  readonly done: Promise<TrainingOutcome>
  private readonly process: TrainingProcess
  private pending: StepMetric[] = []
  private startStep = 0
  private finished = false
  private started = Date.now()
  private trainingSecondsBefore = 0
  private targetSteps = 0

  private constructor(
    private readonly db: Db,
    readonly runId: number,
    private readonly listener: TrainingListener,
    process: TrainingProcess,
  ) {
    this.process = process
    this.done = new Promise<TrainingOutcome>((resolve, reject) => {
      process.onMessage((message) => {
        try {
          const outcome = this.handle(message)
          if (outcome) resolve(outcome)
        } catch (error) {
          reject(error as Error)
        }
      })
      void process.exited.then((code) => {
        if (this.finished) return
        // Killed, or crashed before saying so: what was checkpointed is kept, the rest is lost.
        this.flush()
        const run = getRun(this.db, this.runId) as RunRow
        updateRun(this.db, this.runId, {
          status: code === 0 ? 'stopped' : 'failed',
          error:
            code === 0
              ? null
              : code === null
                ? 'the training process was killed'
                : `the training process exited with code ${code}`,
        })
        this.listener.status?.(code === 0 ? 'stopped' : 'failed', run.stepsDone)
        resolve(this.outcome(true))
      })
    })
  }

  /** Starts a new run. */
  static startNew(request: NewRunRequest, launch: Launch): TrainingSession {
    const config = trainConfig(request.preset, { ...request.overrides, seed: request.seed })
    const data = dataSpec(launch.db, launch.paths, config.model.size)
    const stepsPerEpoch = Math.floor(data.splits.train.length / config.batchSize)
    if (stepsPerEpoch < 1) {
      throw new Error(
        `the train split has ${data.splits.train.length} images, fewer than one batch of ${config.batchSize}; ingest more images`,
      )
    }
    const targetSteps = request.steps ?? (request.epochs ?? 1) * stepsPerEpoch
    const run = createRun(
      launch.db,
      {
        preset: request.preset,
        config: {
          train: config,
          backend: request.backend,
          checkpointEverySteps: request.checkpointEverySteps,
          previewEverySteps: request.previewEverySteps,
        },
        seed: request.seed,
        targetSteps,
        datasetSnapshot: { cacheFile: data.file, size: data.size, counts: countsOf(data.splits) },
      },
      (id) => join(launch.paths.runs, `run-${id}`),
    )
    return TrainingSession.launch(run, config, request.backend, launch, false, request)
  }

  /** Continues an unfinished run from its last checkpoint, up to the same target. */
  static resume(run: RunRow, launch: Launch, backend?: BackendChoice): TrainingSession {
    const stored = JSON.parse(run.config) as {
      train: TrainConfig
      backend: BackendChoice
      checkpointEverySteps?: number
      previewEverySteps?: number
    }
    return TrainingSession.launch(
      run,
      stored.train,
      backend ?? stored.backend,
      launch,
      true,
      stored,
    )
  }

  private static launch(
    run: RunRow,
    config: TrainConfig,
    backend: BackendChoice,
    launch: Launch,
    resume: boolean,
    cadence: { checkpointEverySteps?: number; previewEverySteps?: number },
  ): TrainingSession {
    // Refuse before the run's row or folder is touched; the engine takes the lock itself as it starts.
    if (resume) assertRunFree(run.dir)
    const data = dataSpec(launch.db, launch.paths, config.model.size)
    const child = (launch.launch ?? forkTrainingProcess)()
    const session = new TrainingSession(launch.db, run.id, launch.listener ?? {}, child)
    session.trainingSecondsBefore = run.secondsTraining
    session.targetSteps = run.targetSteps
    child.send({
      type: 'start',
      config,
      projectRunDir: run.dir,
      epochs: Number.MAX_SAFE_INTEGER,
      steps: run.targetSteps,
      resume,
      backend,
      data,
      checkpointEverySteps: cadence.checkpointEverySteps,
      previewEverySteps: cadence.previewEverySteps,
    })
    return session
  }

  pause(): void {
    this.process.send({ type: 'pause' })
  }

  resume(): void {
    this.process.send({ type: 'resume' })
  }

  /** Asks the engine to checkpoint and stop; `done` settles once it has. */
  stop(): Promise<TrainingOutcome> {
    this.process.send({ type: 'stop' })
    return this.done
  }

  private handle(message: WorkerMessage): TrainingOutcome | null {
    switch (message.type) {
      case 'ready': {
        this.startStep = message.startStep
        this.started = Date.now()
        truncateMetricsAfter(this.db, this.runId, message.startStep)
        updateRun(this.db, this.runId, {
          status: 'running',
          backend: message.backend,
          backendNotes: JSON.stringify(message.skipped),
          backendAdapter: message.adapter
            ? JSON.stringify({
                name: message.adapter.name,
                vendor: message.adapter.vendor,
                software: message.adapter.software,
              })
            : null,
          stepsDone: message.startStep,
          error: null,
          ownerPid: process.pid,
        })
        const run = getRun(this.db, this.runId) as RunRow
        this.listener.ready?.({
          run,
          backend: message.backend,
          skipped: message.skipped,
          startStep: message.startStep,
        })
        this.listener.status?.('running', message.startStep)
        return null
      }
      case 'step': {
        this.pending.push({
          step: message.step,
          epoch: message.epoch,
          total: message.total,
          recon: message.recon,
          kl: message.kl,
          imagesPerSecond: message.imagesPerSecond,
        })
        if (this.pending.length >= FLUSH_EVERY_STEPS) this.flush()
        this.listener.step?.(message, this.targetSteps)
        return null
      }
      case 'epoch':
        this.flush()
        recordEpoch(this.db, this.runId, message.epoch, message.validation?.total ?? null)
        if (message.validation)
          updateRun(this.db, this.runId, { valLoss: message.validation.total })
        this.listener.epoch?.(message)
        return null
      case 'checkpoint':
        this.flush()
        updateRun(this.db, this.runId, {
          stepsDone: message.step,
          secondsTraining: this.secondsTraining(),
        })
        // The dashboard shows the last checkpoint: what a stop or crash would keep.
        this.listener.status?.('running', message.step)
        return null
      case 'preview':
        this.listener.preview?.(message)
        return null
      case 'paused':
        updateRun(this.db, this.runId, { status: 'paused' })
        this.listener.status?.('paused', message.step)
        return null
      case 'resumed':
        updateRun(this.db, this.runId, { status: 'running' })
        this.listener.status?.('running', message.step)
        return null
      case 'done': {
        this.flush()
        this.finished = true
        const status = message.stopped ? 'stopped' : 'finished'
        const rates = stepMetrics(this.db, this.runId).slice(-LOSS_WINDOW)
        updateRun(this.db, this.runId, {
          status,
          stepsDone: message.step,
          secondsTraining: this.secondsTraining(),
          ...(message.test ? { testMse: message.test.mse, testPsnr: message.test.psnr } : {}),
          ...(message.quality ? { quality: JSON.stringify(message.quality) } : {}),
          ...(rates.length > 0
            ? { imagesPerSecond: mean(rates.map((r) => r.imagesPerSecond ?? 0)) }
            : {}),
        })
        this.listener.status?.(status, message.step)
        return this.outcome(message.stopped)
      }
      case 'busy':
        // The run belongs to another process: its row is that process's to update, not ours.
        this.finished = true
        throw new RunBusyError(message.message)
      case 'error':
        this.flush()
        this.finished = true
        updateRun(this.db, this.runId, { status: 'failed', error: message.message })
        this.listener.status?.('failed', this.startStep)
        throw new Error(message.message)
    }
  }

  private flush(): void {
    if (this.pending.length === 0) return
    insertStepMetrics(this.db, this.runId, this.pending)
    const last = this.pending[this.pending.length - 1] as StepMetric
    this.pending = []
    updateRun(this.db, this.runId, { imagesPerSecond: last.imagesPerSecond ?? 0 })
  }

  private secondsTraining(): number {
    return this.trainingSecondsBefore + (Date.now() - this.started) / 1000
  }

  private outcome(stopped: boolean): TrainingOutcome {
    const metrics = stepMetrics(this.db, this.runId)
    const totals = metrics.map((m) => m.total)
    return {
      run: getRun(this.db, this.runId) as RunRow,
      stopped,
      resumedFromStep: this.startStep,
      initialLoss: totals.length > 0 ? mean(totals.slice(0, LOSS_WINDOW)) : null,
      finalLoss: totals.length > 0 ? mean(totals.slice(-LOSS_WINDOW)) : null,
    }
  }
}

function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1)
}

function countsOf(splits: {
  train: number[]
  validation: number[]
  test: number[]
}): Record<string, number> {
  return {
    train: splits.train.length,
    validation: splits.validation.length,
    test: splits.test.length,
  }
}

/** The packed cache at the model's resolution, and the slots of each split. */
export function dataSpec(
  db: Db,
  paths: ProjectPaths,
  size: number,
): { file: string; size: number; splits: ReturnType<typeof trainingSplits> } {
  const cache = findCache(db, paths, size)
  if (!cache) {
    throw new Error(
      `${paths.root}: no ${size}×${size} image cache; ingest the dataset at ${size}×${size} first`,
    )
  }
  const splits = trainingSplits(validSlots(db, cache.id))
  return { file: cache.file, size, splits }
}

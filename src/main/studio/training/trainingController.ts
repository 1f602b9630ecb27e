import type { MethodParsedInput, RunInfo, TrainingPreviewEvent } from '../../../shared/contract'
import type { BackendChoice, TrainingProcess } from '../../engine'
import type { Db } from '../../store/database'
import type { ProjectPaths } from '../../store/projectFolder'
import { getRun, type RunRow } from '../../store/runs'
import type { EventSink } from '../context'
import { previewDataUrl } from './previewImage'
import { runInfo } from './runInfo'
import { newRunRequest } from './runRequest'
import { TrainingSession, type TrainingListener, type TrainingOutcome } from './trainingSession'

/**
 * The studio's one training run at a time: starts or resumes it in the engine process, and turns its
 * progress into contract events (steps, epochs, reconstructions, status).
 */
export class TrainingController {
  private session: TrainingSession | null = null
  private latestPreview = new Map<number, TrainingPreviewEvent>()

  constructor(
    private readonly emit: EventSink,
    private readonly launch?: () => TrainingProcess,
    /** Called when a run has ended with a checkpoint to use (finished, or stopped after a step). */
    private readonly onCheckpointed?: (runId: number) => void,
  ) {}

  get activeRunId(): number | null {
    return this.session?.runId ?? null
  }

  start(db: Db, paths: ProjectPaths, request: MethodParsedInput<'training.start'>): number {
    this.refuseIfRunning()
    const session = TrainingSession.startNew(newRunRequest(request), {
      db,
      paths,
      listener: this.listener(db),
      ...(this.launch ? { launch: this.launch } : {}),
    })
    this.track(session)
    return session.runId
  }

  resumeRun(db: Db, paths: ProjectPaths, runId: number, backend?: BackendChoice): number {
    this.refuseIfRunning()
    const run = getRun(db, runId)
    if (!run) throw new Error(`run ${runId} does not exist in ${paths.database}`)
    if (run.status === 'finished')
      throw new Error(`run ${runId} already reached its ${run.targetSteps} steps`)
    const session = TrainingSession.resume(
      run,
      { db, paths, listener: this.listener(db), ...(this.launch ? { launch: this.launch } : {}) },
      backend,
    )
    this.track(session)
    return session.runId
  }

  pause(runId: number): boolean {
    if (this.session?.runId !== runId) return false
    this.session.pause()
    return true
  }

  resume(runId: number): boolean {
    if (this.session?.runId !== runId) return false
    this.session.resume()
    return true
  }

  async stop(runId: number): Promise<boolean> {
    if (this.session?.runId !== runId) return false
    await this.session.stop()
    return true
  }

  async stopAll(): Promise<void> {
    await this.session?.stop()
  }

  /** How the active run ends (its losses, where it resumed from); null when it is not the active run. */
  outcome(runId: number): Promise<TrainingOutcome> | null {
    return this.session?.runId === runId ? this.session.done : null
  }

  preview(runId: number): TrainingPreviewEvent | null {
    return this.latestPreview.get(runId) ?? null
  }

  private refuseIfRunning(): void {
    if (this.session) {
      throw new Error(
        `run ${this.session.runId} is still training; stop it before starting another`,
      )
    }
  }

  private track(session: TrainingSession): void {
    this.session = session
    void session.done
      .then((outcome) => {
        if (this.session === session) this.session = null
        const { run } = outcome
        if ((run.status === 'finished' || run.status === 'stopped') && run.stepsDone > 0)
          this.onCheckpointed?.(run.id)
      })
      .catch(() => undefined)
      .finally(() => {
        if (this.session === session) this.session = null
      })
  }

  private listener(db: Db): TrainingListener {
    const status = (runId: number): RunInfo | null => {
      const run = getRun(db, runId)
      return run ? runInfo(run) : null
    }
    let runId = 0
    let lastStepAt = 0
    let lastStep = 0
    let stepsPerSecond = 0
    return {
      ready: (info) => {
        runId = info.run.id
        this.emit('training.status', runInfo(info.run))
      },
      step: (event, targetSteps) => {
        const now = Date.now()
        if (lastStepAt > 0 && event.step > lastStep) {
          const instant = ((event.step - lastStep) * 1000) / Math.max(now - lastStepAt, 1)
          stepsPerSecond = stepsPerSecond === 0 ? instant : stepsPerSecond * 0.9 + instant * 0.1
        }
        lastStepAt = now
        lastStep = event.step
        this.emit('training.step', {
          runId,
          step: event.step,
          epoch: event.epoch,
          total: event.total,
          recon: event.recon,
          kl: event.kl,
          imagesPerSecond: event.imagesPerSecond,
          targetSteps,
          etaSeconds: stepsPerSecond > 0 ? (targetSteps - event.step) / stepsPerSecond : null,
        })
      },
      epoch: (event) => {
        this.emit('training.epoch', {
          runId,
          epoch: event.epoch,
          step: event.step,
          valLoss: event.validation?.total ?? null,
        })
      },
      preview: (event) => {
        void previewDataUrl(event.originals, event.reconstructions, event.size).then((image) => {
          const preview = { runId, step: event.step, image }
          this.latestPreview.set(runId, preview)
          this.emit('training.preview', preview)
        })
      },
      status: () => {
        const info = status(runId)
        if (info) this.emit('training.status', info)
      },
    }
  }
}

export type { RunRow }

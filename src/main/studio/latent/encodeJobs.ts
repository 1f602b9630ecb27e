/**
 * Encoding a run's images as a studio job: started from the screens' Encode action, and on its own
 * when a run ends with a checkpoint, so the latents follow the model without a terminal. One encode
 * at a time; a newer request replaces a running one for another run or checkpoint.
 */
import type { JobFinished } from '../../../shared/contract'
import { throwIfCancelled, type TaskControl } from '../../../shared/progress'
import { countLatents } from '../../store/latents'
import { getRun } from '../../store/runs'
import type { OpenProject, StudioContext } from '../context'
import { recordEncodeRate, latentStatus } from './encodeStatus'
import { encodeRun } from './faces'
import { computeMap } from './maps'

interface RunningEncode {
  jobId: string
  runId: number
  step: number
  done: Promise<JobFinished>
}

export class EncodeJobs {
  private running: RunningEncode | null = null

  constructor(private readonly ctx: StudioContext) {}

  /** The encode job running now: gone as soon as the job manager has reported its end. */
  get jobId(): string | null {
    const id = this.running?.jobId
    return id !== undefined && this.ctx.jobs.active().some((job) => job.jobId === id) ? id : null
  }

  /** Encodes the run's images with its current checkpoint; returns the job (a running one if same). */
  async start(runId: number): Promise<string> {
    const project = this.ctx.requireProject()
    const run = getRun(project.db, runId)
    if (!run) throw new Error(`${project.paths.database}: there is no run ${runId}`)
    const running = this.running
    if (running?.runId === runId && running.step === run.stepsDone) return running.jobId
    if (running) await this.cancel()
    const { jobId, done } = this.ctx.jobs.start('encode', (control) =>
      this.encode(project, runId, control),
    )
    const entry = { jobId, runId, step: run.stepsDone, done }
    this.running = entry
    void done.then((finished) => {
      if (this.running === entry) this.running = null
      // After job.finished, so a screen reloading on this sees no encode running.
      if (finished.status === 'done') {
        this.ctx.emit('latent.encoded', {
          runId,
          step: run.stepsDone,
          latents: countLatents(project.db, runId),
        })
      }
    })
    return jobId
  }

  /** After a run ended with a checkpoint: encodes unless its latents are current already. */
  async afterTraining(runId: number): Promise<string | null> {
    const { db, paths } = this.ctx.requireProject()
    const state = latentStatus(db, paths, runId, null).state
    if (state === 'ready' || state === 'untrained') return null
    return this.start(runId)
  }

  /** Cancels the running encode, if any, and waits until it has stopped. */
  async cancel(): Promise<void> {
    const running = this.running
    if (!running) return
    this.ctx.jobs.cancel(running.jobId)
    await running.done
  }

  /**
   * Encodes the run's images with its current checkpoint, here and now: the job's work, and the
   * command line's `encode` (which leaves the map to `map`).
   */
  async encodeNow(
    runId: number,
    control: TaskControl = {},
  ): Promise<{ encoded: number; total: number; step: number }> {
    const { db, paths } = this.ctx.requireProject()
    const model = await this.ctx.models.forRun(db, paths, runId)
    throwIfCancelled(control.signal)
    const started = performance.now()
    const result = await encodeRun(db, paths, model, control)
    recordEncodeRate(db, runId, result.encoded, (performance.now() - started) / 1000)
    return result
  }

  private async encode(
    project: OpenProject,
    runId: number,
    control: Required<TaskControl>,
  ): Promise<void> {
    const { db, paths } = project
    control.onProgress({ phase: 'loading the model', done: 0, total: 1 })
    await this.encodeNow(runId, control)
    if (countLatents(db, runId) === 0) return
    // Explore opens on the PCA map: computing it here has it ready together with the latents.
    await computeMap(db, paths.root, runId, 'pca', undefined, {
      signal: control.signal,
      onProgress: (update) => control.onProgress({ ...update, phase: 'building the map' }),
    })
  }
}

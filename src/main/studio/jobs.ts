import { randomUUID } from 'node:crypto'
import type { JobFinished, JobKind, JobProgress } from '../../shared/contract'
import { startingProgress } from '../../shared/jobProgress'
import { CancelledError, RateEstimator, type TaskControl } from '../../shared/progress'

export interface JobEvents {
  progress(progress: JobProgress): void
  finished(finished: JobFinished): void
}

interface RunningJob {
  controller: AbortController
  latest: JobProgress
}

const PROGRESS_INTERVAL_MS = 100

/**
 * Runs long tasks in the background with progress (throttled, with rate and ETA) and cancellation.
 * One job of a kind at a time, so two ingests never write the same cache.
 */
export class JobManager {
  private readonly running = new Map<string, RunningJob>()

  constructor(private readonly events: JobEvents) {}

  active(): JobProgress[] {
    return [...this.running.values()].map((job) => job.latest)
  }

  isRunning(kind: JobKind): boolean {
    return [...this.running.values()].some((job) => job.latest.kind === kind)
  }

  /** Starts the task and returns its id at once; `done` settles when the task has ended. */
  start(
    kind: JobKind,
    task: (control: Required<TaskControl>) => Promise<unknown>,
  ): { jobId: string; done: Promise<JobFinished> } {
    if (this.isRunning(kind))
      throw new Error(`a ${kind} job is already running; wait for it or cancel it`)
    const jobId = randomUUID()
    const controller = new AbortController()
    const estimator = new RateEstimator()
    const job: RunningJob = {
      controller,
      latest: startingProgress(jobId, kind),
    }
    this.running.set(jobId, job)
    let lastSent = 0
    let phase = ''
    const onProgress: TaskControl['onProgress'] = (update) => {
      const now = Date.now()
      if (update.phase !== phase) {
        phase = update.phase
        estimator.reset()
      }
      estimator.update(update.done, now)
      job.latest = {
        jobId,
        kind,
        phase: update.phase,
        done: update.done,
        total: update.total,
        ratePerSecond: estimator.rate(),
        etaSeconds: estimator.etaSeconds(update.done, update.total),
      }
      if (now - lastSent >= PROGRESS_INTERVAL_MS || update.done >= update.total) {
        lastSent = now
        this.events.progress(job.latest)
      }
    }
    this.events.progress(job.latest)
    const done = (async (): Promise<JobFinished> => {
      let finished: JobFinished
      try {
        await task({ signal: controller.signal, onProgress })
        finished = { jobId, kind, status: 'done' }
      } catch (error) {
        finished =
          error instanceof CancelledError || controller.signal.aborted
            ? { jobId, kind, status: 'cancelled' }
            : {
                jobId,
                kind,
                status: 'failed',
                error: error instanceof Error ? error.message : String(error),
              }
      } finally {
        this.running.delete(jobId)
      }
      this.events.finished(finished)
      return finished
    })()
    return { jobId, done }
  }

  cancel(jobId: string): boolean {
    const job = this.running.get(jobId)
    if (!job) return false
    job.controller.abort()
    return true
  }

  cancelAll(): void {
    for (const job of this.running.values()) job.controller.abort()
  }
}
